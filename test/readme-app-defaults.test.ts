/**
 * The README's "Applications" section states each app's setting defaults in prose,
 * "`field` (`default`)". Each must be what the app's own parser fills in when the stack leaves
 * the field out (checked on a shipped cluster that runs the app, with that field removed).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { BUILT_IN_APPS } from "../components/apps/registry";
import type { AppSettingsBase, TypedAppDefinition } from "../components/apps/types";
import { DEFAULT_VERSIONS } from "../config/defaults";
import { parseLeniently } from "../config/load";
import { Reader } from "../config/reader";
import type { ClusterConfig } from "../config/types";
import { BUILT_IN_UNITS } from "../stacks/units";
import { loadOfflineConfig } from "../tools/stack-config";

const ROOT = path.join(__dirname, "..");
const README = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");

/** The Applications section, cut into one paragraph per app that has its own **`app`** heading. */
function appParagraphs(): Map<string, string> {
  const start = README.indexOf("\n### Applications\n");
  const end = README.indexOf("\n### ", start + 5);
  const section = README.slice(start, end);
  const marks = [...section.matchAll(/\*\*`([a-z0-9-]+)`\*\*/g)];
  const out = new Map<string, string>();
  marks.forEach((m, i) => {
    const next = marks[i + 1]?.index ?? section.length;
    const paragraph = section.slice(m.index, next).split(/\n\n|\n\*\*[A-Z]/)[0];
    out.set(m[1], paragraph);
  });
  return out;
}

/**
 * "`field` (`value`" and "`field` (number|true|false" pairs. Not defaults, so not collected: a
 * choice ("`a` or `b`"), a list of sub-fields or names ("`a`, `b`" or "`min` 2"), an env var
 * name (`ALL_CAPS`), a pattern with a placeholder (`<...>`) and `images` (their defaults are
 * the image table's, checked by its own tests). "required" in the parenthesis is collected as
 * such: the parser must refuse the settings without that field.
 */
function statedDefaults(text: string): { field: string; value: string }[] {
  const flat = text.replace(/\s+/g, " ");
  const out: { field: string; value: string }[] = [];
  const pairs = /`([A-Za-z][A-Za-z0-9]*)` \((?:`([^`]*)`(?=([^)]*))|(-?\d+|true|false)(?=[;:,) ]))/g;
  for (const m of flat.matchAll(pairs)) {
    const [, field, quoted, rest = "", bare] = m;
    if (field === "images") continue;
    if (quoted !== undefined) {
      if (/^ or |^, `|^ [^,;:)]/.test(rest)) continue;
      if (/^[A-Z][A-Z0-9_]+$/.test(quoted) || quoted.includes("<")) continue;
      out.push({ field, value: /\brequired\b/.test(rest.split(/[;:]/)[0]) ? "required" : quoted });
    } else out.push({ field, value: bare });
  }
  return out;
}

interface Shipped {
  readonly cluster: ClusterConfig;
  readonly block: Record<string, unknown>;
}

/** The first shipped cluster that runs `app`, and the stack file's settings block for it. */
function shippedWith(app: string): Shipped | undefined {
  for (const stack of ["prod", "stage", "homelab"]) {
    const offline = loadOfflineConfig(ROOT, stack);
    const raw = offline.config["platform:clusters"] as Record<
      string,
      { appSettings?: Record<string, unknown> }
    >;
    const { clusters } = parseLeniently(
      {
        shape: offline.config["platform:shape"],
        clusters: raw,
        versions: offline.config["platform:versions"],
      },
      BUILT_IN_UNITS,
    );
    const cluster = clusters.find((c) => c.apps.includes(app));
    if (cluster)
      return { cluster, block: (raw[cluster.name].appSettings?.[app] ?? {}) as Record<string, unknown> };
  }
  return undefined;
}

function show(value: unknown): string {
  return typeof value === "object" && value !== null ? JSON.stringify(value) : String(value);
}

describe("the README's app setting defaults", () => {
  const paragraphs = appParagraphs();
  const definitions = BUILT_IN_APPS as readonly TypedAppDefinition<AppSettingsBase>[];

  it("has a paragraph for most apps, each stating defaults", () => {
    const stated = [...paragraphs.entries()].filter(([, p]) => statedDefaults(p).length > 0).map(([a]) => a);
    expect(stated.length).toBeGreaterThanOrEqual(8);
  });

  it.each([...paragraphs.keys()].filter((a) => BUILT_IN_APPS.some((d) => d.name === a)))(
    "%s: every stated default is the parser's",
    (app) => {
      const definition = definitions.find((d) => d.name === app)!;
      const shipped = shippedWith(app);
      if (!shipped) throw new Error(`no shipped cluster runs ${app}`);
      const wrong: string[] = [];
      for (const { field, value } of statedDefaults(paragraphs.get(app)!)) {
        const block = Object.fromEntries(Object.entries(shipped.block).filter(([k]) => k !== field));
        const parse = () =>
          definition.spec.parse(
            new Reader(`appSettings.${app}`, block),
            shipped.cluster,
            DEFAULT_VERSIONS,
          ) as unknown as Record<string, unknown>;
        if (value === "required") {
          if (!(field in shipped.block))
            wrong.push(`${field}: README says required, the shipped stack does not set it`);
          else expect(parse).toThrow(`appSettings.${app}.${field}`);
          continue;
        }
        const settings = parse();
        if (!(field in settings)) {
          wrong.push(`${field}: README says ${value}, the settings have no such field`);
          continue;
        }
        if (show(settings[field]) !== value)
          wrong.push(`${field}: README says ${value}, the parser fills in ${show(settings[field])}`);
      }
      expect(wrong).toEqual([]);
    },
  );
});
