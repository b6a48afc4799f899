/**
 * A typed reader over untyped config values. Every failure is a {@link ConfigError}
 * that names the full key path, the value found and the fix.
 */
import * as pulumi from "@pulumi/pulumi";

/**
 * A user mistake in stack config. It extends `pulumi.RunError` so the Pulumi CLI prints
 * the message alone, without a stack trace.
 */
export class ConfigError extends pulumi.RunError {
  constructor(
    readonly key: string,
    readonly value: unknown,
    readonly fix: string,
  ) {
    super(`Invalid config ${key} = ${describe(value)}: ${fix}`);
    this.name = "ConfigError";
  }

  /**
   * Wraps a component's own argument check, whose message already names the argument and
   * the value; `config.`/`versions.` paths are rewritten to stack config keys.
   */
  static fromComponent(key: string, message: string): ConfigError {
    const text = message
      .replace(/^[A-Za-z0-9]+ "[^"]*": /, "")
      .replace(/\bconfig\./g, `${key}.`)
      .replace(/\bversions\./g, "platform:versions.");
    const error = new ConfigError(key, undefined, text);
    error.message = `Invalid config ${text}`;
    return error;
  }
}

/**
 * Every config error of one run, so a user fixes them all at once. Incompatibilities
 * (what no added service or key can fix) come first. It is a ConfigError, so whatever
 * catches a ConfigError (the synth, the CLI's RunError printing) handles it the same way.
 */
export class ConfigErrors extends ConfigError {
  constructor(readonly errors: readonly ConfigError[]) {
    super("platform", undefined, "");
    this.name = "ConfigErrors";
    this.message =
      errors.length === 1
        ? errors[0].message
        : [`${errors.length} config errors:`, ...errors.map((e) => `  - ${e.message}`)].join("\n");
  }
}

/** How urgent an error is: an incompatibility must be fixed before anything else matters. */
export type ErrorRank = "incompatible" | "invalid";

/**
 * Collects ConfigErrors across independent checks; anything else thrown is a bug and
 * propagates at once.
 */
export class ErrorCollector {
  private readonly found: { readonly error: ConfigError; readonly rank: ErrorRank }[] = [];

  /**
   * Records an error. The same message found twice (a version pin checked for each
   * cluster) is kept once, at the more urgent rank.
   */
  add(error: ConfigError, rank: ErrorRank = "invalid"): void {
    const same = this.found.findIndex((f) => f.error.message === error.message);
    if (same < 0) this.found.push({ error, rank });
    else if (rank === "incompatible") this.found[same] = { error: this.found[same].error, rank };
  }

  /** Runs a check; a ConfigError it throws is recorded and `undefined` returned. */
  attempt<T>(check: () => T, rank: ErrorRank = "invalid"): T | undefined {
    try {
      return check();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      if (error instanceof ConfigErrors) error.errors.forEach((e) => this.add(e, rank));
      else this.add(error, rank);
      return undefined;
    }
  }

  get empty(): boolean {
    return this.found.length === 0;
  }

  /** The config keys of the recorded errors. */
  get keys(): string[] {
    return this.found.map((f) => f.error.key);
  }

  /** Throws every recorded error at once (incompatibilities first), if there is any. */
  throwIfAny(): void {
    if (this.found.length === 0) return;
    const ordered = [
      ...this.found.filter((f) => f.rank === "incompatible"),
      ...this.found.filter((f) => f.rank !== "incompatible"),
    ];
    throw ordered.length === 1 ? ordered[0].error : new ConfigErrors(ordered.map((f) => f.error));
  }
}

/** The edit distance of two strings (insertions, deletions, substitutions, transpositions). */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [
    i,
    ...Array<number>(b.length).fill(0),
  ]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/**
 * The known name a mistyped one most likely meant: the same name in other case, or the one
 * closest by edit distance (at most a third of its length, and at least 1), if exactly one is.
 */
export function closestName(name: string, known: readonly string[]): string | undefined {
  const sameCase = known.filter((k) => k.toLowerCase() === name.toLowerCase());
  if (sameCase.length === 1) return sameCase[0];
  const limit = Math.max(1, Math.floor(name.length / 3));
  const scored = known
    .map((k) => ({ k, d: distance(name.toLowerCase(), k.toLowerCase()) }))
    .filter((x) => x.d <= limit);
  const best = Math.min(...scored.map((x) => x.d));
  const closest = scored.filter((x) => x.d === best);
  return closest.length === 1 ? closest[0].k : undefined;
}

/** ` did you mean "x"?` for a mistyped name, or nothing. */
export function didYouMean(name: string, known: readonly string[]): string {
  const closest = closestName(name, known);
  return closest === undefined ? "" : ` did you mean "${closest}"?`;
}

/** Renders a found value for an error message, short. */
export function describe(value: unknown): string {
  if (value === undefined) return "(not set)";
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** "from 1 to 5", "of at least 20", "of at most 5". */
export function rangeText(range: { min?: number; max?: number }): string {
  if (range.min !== undefined && range.max !== undefined) return `from ${range.min} to ${range.max}`;
  if (range.min !== undefined) return `of at least ${range.min}`;
  return `of at most ${range.max}`;
}

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  return `a ${typeof value}`;
}

/** Options of a string read. */
export interface StringRule<K extends string = string> {
  /** The values allowed. @default any string */
  readonly oneOf?: readonly K[];
  /** A pattern the value must match. @default any string */
  readonly pattern?: RegExp;
  /** What a valid value looks like, for the error message. @default "a string matching <pattern>" */
  readonly expected?: string;
}

/** Checks one string value against a rule. */
function checkString<K extends string>(key: string, raw: unknown, rule: StringRule<K>): K {
  if (typeof raw !== "string") throw new ConfigError(key, raw, `expected a string, found ${typeName(raw)}`);
  if (rule.oneOf && !rule.oneOf.includes(raw as K)) {
    throw new ConfigError(key, raw, `expected one of: ${rule.oneOf.join(", ")}`);
  }
  if (rule.pattern && !rule.pattern.test(raw)) {
    throw new ConfigError(
      key,
      raw,
      `expected ${rule.expected ?? `a string matching ${String(rule.pattern)}`}`,
    );
  }
  return raw as K;
}

/** Reads typed fields from one object of config, tracking the key path for errors. */
export class Reader {
  constructor(
    readonly path: string,
    readonly value: Readonly<Record<string, unknown>>,
  ) {}

  /** Wraps a raw value that must be an object. */
  static object(path: string, value: unknown): Reader {
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      throw new ConfigError(path, value, `expected an object (a YAML mapping), found ${typeName(value)}`);
    }
    return new Reader(path, value as Record<string, unknown>);
  }

  /** The full key path of a field. */
  key(field: string): string {
    return `${this.path}.${field}`;
  }

  /** Fails on any field not in `known`, which catches typos in stack files. */
  only(known: readonly string[]): this {
    for (const field of Object.keys(this.value)) {
      if (!known.includes(field)) {
        throw new ConfigError(
          this.key(field),
          this.value[field],
          `unknown key;${didYouMean(field, known)} expected one of: ${known.join(", ")}`,
        );
      }
    }
    return this;
  }

  has(field: string): boolean {
    return this.value[field] !== undefined && this.value[field] !== null;
  }

  string<K extends string = string>(field: string, rule: StringRule<K> = {}, fallback?: K): K {
    const raw = this.value[field] ?? fallback;
    if (raw === undefined)
      throw new ConfigError(this.key(field), raw, `required; set ${rule.expected ?? "a string"}`);
    return checkString(this.key(field), raw, rule);
  }

  optionalString(field: string, rule: StringRule = {}): string | undefined {
    return this.has(field) ? this.string(field, rule) : undefined;
  }

  integer(field: string, range: { min?: number; max?: number } = {}, fallback?: number): number {
    const raw = this.value[field] ?? fallback;
    const key = this.key(field);
    if (raw === undefined) throw new ConfigError(key, raw, "required; set a whole number");
    if (typeof raw !== "number" || !Number.isInteger(raw)) {
      throw new ConfigError(key, raw, `expected a whole number, found ${typeName(raw)}`);
    }
    if ((range.min !== undefined && raw < range.min) || (range.max !== undefined && raw > range.max)) {
      throw new ConfigError(key, raw, `expected a whole number ${rangeText(range)}`);
    }
    return raw;
  }

  boolean(field: string, fallback: boolean): boolean {
    const raw = this.value[field] ?? fallback;
    if (typeof raw !== "boolean") {
      throw new ConfigError(this.key(field), raw, `expected true or false, found ${typeName(raw)}`);
    }
    return raw;
  }

  stringList(field: string, rule: StringRule = {}, fallback: readonly string[] = []): string[] {
    const raw = this.value[field] ?? fallback;
    const key = this.key(field);
    if (!Array.isArray(raw))
      throw new ConfigError(key, raw, `expected a list of strings, found ${typeName(raw)}`);
    return (raw as unknown[]).map((item, i) => checkString(`${key}[${i}]`, item, rule));
  }

  stringMap(field: string): Record<string, string> {
    if (!this.has(field)) return {};
    const map = this.object(field);
    const out: Record<string, string> = {};
    for (const name of Object.keys(map.value)) out[name] = map.string(name);
    return out;
  }

  object(field: string): Reader {
    return Reader.object(this.key(field), this.value[field]);
  }

  optionalObject(field: string): Reader {
    return this.has(field) ? this.object(field) : new Reader(this.key(field), {});
  }

  list(field: string, fallback?: readonly unknown[]): Reader[] {
    const raw = this.value[field] ?? fallback;
    const key = this.key(field);
    if (raw === undefined) throw new ConfigError(key, raw, "required; set a list");
    if (!Array.isArray(raw)) throw new ConfigError(key, raw, `expected a list, found ${typeName(raw)}`);
    return raw.map((item, i) => Reader.object(`${key}[${i}]`, item));
  }
}
