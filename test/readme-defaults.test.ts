/**
 * The README's config reference states defaults in prose, "`field` (`default`)", per cluster
 * kind. Each one must be what the cluster parser really fills in when the field is left out:
 * a README that drifts from the code misleads exactly the user who reads it first.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseClusters } from "../config/clusters";
import { parseLeniently } from "../config/load";
import { ErrorCollector } from "../config/reader";
import { BUILT_IN_UNITS } from "../stacks/units";
import { cloudConfig, homelabConfig } from "./fixtures";

const README = fs.readFileSync(path.join(__dirname, "..", "README.md"), "utf8");

/** The text of a README section, from its heading to the next heading of any level. */
function section(heading: string): string {
  const start = README.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`README has no section ${heading}`);
  const end = README.indexOf("\n#", start + heading.length + 2);
  return README.slice(start, end < 0 ? undefined : end);
}

interface Stated {
  readonly field: string;
  readonly value: string;
}

/**
 * Every "`field` (`value`" or "`field` (number|true|false" in a section, outside code spans
 * that hold a whole object (those are read by their own tests). Descriptive defaults such as
 * "(the gateway)" or "(unset: ...)" are not literal and are not collected.
 */
function statedDefaults(text: string): Stated[] {
  const flat = text.replace(/\s+/g, " ");
  const out: Stated[] = [];
  for (const m of flat.matchAll(/`([A-Za-z][A-Za-z0-9]*)` \((?:`([^`]*)`|(-?\d+|true|false)(?=[;:,) ]))/g)) {
    out.push({ field: m[1], value: m[2] ?? m[3] });
  }
  return out;
}

/** Every path in a parsed value whose last key is `field`. */
function pathsOf(value: unknown, field: string, at: string[] = []): string[][] {
  if (typeof value !== "object" || value === null) return [];
  const found: string[][] = [];
  for (const [key, child] of Object.entries(value)) {
    if (key === field) found.push([...at, key]);
    found.push(...pathsOf(child, field, [...at, key]));
  }
  return found;
}

function get(value: unknown, keys: readonly string[]): unknown {
  return keys.reduce<unknown>((v, k) => (v as Record<string, unknown>)[k], value);
}

/** Removes every key named `field` (at any depth) from a raw config, so its default applies. */
function without(raw: unknown, field: string): unknown {
  if (Array.isArray(raw)) return raw.map((v) => without(v, field));
  if (typeof raw !== "object" || raw === null) return raw;
  return Object.fromEntries(
    Object.entries(raw)
      .filter(([k]) => k !== field)
      .map(([k, v]) => [k, without(v, field)]),
  );
}

/** The README form of a parsed value. */
function show(value: unknown): string {
  if (Array.isArray(value) || (typeof value === "object" && value !== null)) return JSON.stringify(value);
  return String(value);
}

/** A minimal valid cluster of each kind, from the test fixtures. */
function rawCluster(kind: string): Record<string, unknown> {
  if (kind === "existing") {
    return {
      kind: "existing",
      engine: "flux",
      domain: "example.org",
      git: { url: "https://git.example.org/platform.git", branch: "main" },
      storageClasses: ["standard"],
    };
  }
  const config = kind === "talos-hcloud" ? cloudConfig() : homelabConfig();
  const clusters = config["platform:clusters"] as Record<string, Record<string, unknown>>;
  const found = Object.values(clusters).find((c) => c.kind === kind);
  if (!found) throw new Error(`no fixture cluster of kind ${kind}`);
  return found;
}

function parseOne(raw: unknown): unknown {
  const errors = new ErrorCollector();
  const [parsed] = parseClusters({ c: raw }, "test", errors);
  errors.throwIfAny();
  return parsed;
}

/**
 * Defaults the README states for a field whose parsed form is not the literal it shows, with
 * why; each must still be stated (a stale entry fails).
 */
const NOT_LITERAL: Readonly<Record<string, string>> = {};

const KINDS: readonly [kind: string, heading: string][] = [
  ["talos-hcloud", "### `talos-hcloud`"],
  ["k3s", "### `k3s`"],
  ["k3d-proxmox", "### `k3d-proxmox`"],
  ["existing", "### `existing`"],
];

describe("the README's per-kind defaults", () => {
  it.each(KINDS)("%s: every stated default is the parser's", (kind, heading) => {
    const stated = statedDefaults(section(heading));
    expect(stated.length).toBeGreaterThan(0);
    const wrong: string[] = [];
    for (const { field, value } of stated) {
      if (NOT_LITERAL[`${kind}.${field}`]) continue;
      const parsed = parseOne(without(rawCluster(kind), field));
      const paths = pathsOf(parsed, field);
      if (paths.length === 0) {
        wrong.push(`${field}: README says ${value}, the parser fills in nothing`);
        continue;
      }
      for (const p of paths) {
        const actual = show(get(parsed, p));
        if (actual !== value)
          wrong.push(`${p.join(".")}: README says ${value}, the parser fills in ${actual}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("reads defaults the way the README writes them", () => {
    expect(
      statedDefaults("`sshPort` (22), `insecure` (false), `location` (`fsn1`; one of) `name` (cluster name)"),
    ).toEqual([
      { field: "sshPort", value: "22" },
      { field: "insecure", value: "false" },
      { field: "location", value: "fsn1" },
    ]);
  });
});

describe("the README's 'Every cluster' table", () => {
  it("states the parser's defaults", () => {
    const table = section("### Every cluster")
      .split("\n")
      .filter((l) => l.startsWith("| `"));
    const wrong: string[] = [];
    let checked = 0;
    for (const row of table) {
      const cells = row.split(/(?<!\\)\|/).map((c) => c.trim());
      const field = /^`([A-Za-z]+)`$/.exec(cells[1])?.[1];
      const value = /^`([^`]*)`$/.exec(cells[2])?.[1];
      if (!field || value === undefined) continue;
      // Through the whole lenient parse, which also fills in the settings blocks.
      const raw = without(rawCluster("existing"), field);
      const { clusters } = parseLeniently(
        { shape: "cloud", clusters: { c: raw }, versions: undefined },
        BUILT_IN_UNITS,
      );
      const parsed = clusters[0] as unknown as Record<string, unknown>;
      checked++;
      if (show(parsed[field]) !== value)
        wrong.push(`${field}: README ${value}, parser ${show(parsed[field])}`);
    }
    expect(checked).toBeGreaterThan(3);
    expect(wrong).toEqual([]);
  });
});
