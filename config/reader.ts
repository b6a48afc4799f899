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

  /** Records an error. */
  add(error: ConfigError, rank: ErrorRank = "invalid"): void {
    this.found.push({ error, rank });
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

/** Renders a found value for an error message, short. */
export function describe(value: unknown): string {
  if (value === undefined) return "(not set)";
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  return `a ${typeof value}`;
}

/** Options of a string read. */
export interface StringRule<K extends string = string> {
  readonly oneOf?: readonly K[];
  readonly pattern?: RegExp;
  /** What a valid value looks like, for the error message. */
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
          `unknown key; expected one of: ${known.join(", ")}`,
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
      throw new ConfigError(
        key,
        raw,
        `expected a whole number from ${range.min ?? "-inf"} to ${range.max ?? "inf"}`,
      );
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
