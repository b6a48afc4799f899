/**
 * What a new user trips over in config errors: a mistyped key gets a "did you mean", a key
 * without its namespace is said to be one, ranges read as words, root causes come first, and
 * the README's documented defaults are the code's.
 */
import { BUILT_IN_UNITS } from "../stacks/units";
import { BUILT_IN_SERVICES } from "../components/platform/registry";
import type { TypedServiceDefinition } from "../components/platform/types";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DEFAULT_VERSIONS } from "../config/defaults";
import { closestName, ConfigError, ErrorCollector, Reader } from "../config/reader";
import { parseLeniently } from "../config/load";
import { loadOfflineConfig } from "../tools/stack-config";
import { synthesize } from "../tools/synth";

const ROOT = path.join(__dirname, "..");

/** A scratch project: the real Pulumi.yaml and a stack file. */
function project(stack: string, text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "config-errors-"));
  fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), text);
  return dir;
}

function thrown(f: () => unknown): string {
  try {
    f();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("expected an error");
}

describe("did you mean", () => {
  it("names the key a typo most likely meant", () => {
    expect(closestName("nodepools", ["nodePools", "location"])).toBe("nodePools");
    expect(closestName("locaton", ["nodePools", "location"])).toBe("location");
    expect(closestName("engnie", ["engine", "domain"])).toBe("engine");
    // Nothing close, or two equally close: no guess.
    expect(closestName("schedule", ["version", "interval"])).toBeUndefined();
    expect(closestName("ab", ["ac", "ad"])).toBeUndefined();
  });

  it("says it in a field's error", () => {
    expect(
      thrown(() => new Reader("platform:clusters.prod", { locaton: "fsn1" }).only(["location", "domain"])),
    ).toBe(
      'Invalid config platform:clusters.prod.locaton = "fsn1": unknown key; did you mean "location"? expected one of: location, domain',
    );
  });

  it("says it for a top-level key of the stack file", () => {
    const dir = project(
      "typo",
      fs.readFileSync(path.join(ROOT, "Pulumi.stage.yaml"), "utf8") + "  platform:version: {}\n",
    );
    return expect(synthesize("typo", dir)).rejects.toThrow(
      'Invalid config platform:version = "(set)": unknown key; did you mean "versions"? the program reads:',
    );
  });
});

describe("a key without the platform: namespace", () => {
  it("is reported as such, not as a missing key", () => {
    const dir = project("bare", "config:\n  platform:shape: cloud\n  clusters:\n    prod: {}\n");
    expect(thrown(() => loadOfflineConfig(dir, "bare"))).toBe(
      'Pulumi.bare.yaml: config key without the "platform:" namespace, which the Pulumi CLI refuses ("configuration keys should be of the form <namespace>:<name>"); rename clusters -> platform:clusters',
    );
  });
});

describe("number ranges", () => {
  const r = new Reader("x", { low: 3, high: 9 });
  it("read as words", () => {
    expect(thrown(() => r.integer("low", { min: 20 }))).toBe(
      "Invalid config x.low = 3: expected a whole number of at least 20",
    );
    expect(thrown(() => r.integer("high", { max: 5 }))).toBe(
      "Invalid config x.high = 9: expected a whole number of at most 5",
    );
    expect(thrown(() => r.integer("high", { min: 1, max: 5 }))).toBe(
      "Invalid config x.high = 9: expected a whole number from 1 to 5",
    );
  });
});

describe("every error at once, root causes first", () => {
  it("keeps one copy of a message found twice, at the more urgent rank", () => {
    const errors = new ErrorCollector();
    errors.add(new ConfigError("a", 1, "first"));
    errors.add(new ConfigError("b", 2, "second"));
    errors.add(new ConfigError("b", 2, "second"), "incompatible");
    expect(thrown(() => errors.throwIfAny())).toBe(
      "2 config errors:\n  - Invalid config b = 2: second\n  - Invalid config a = 1: first",
    );
  });

  it("reports a Kubernetes the Talos side does not support before the autoscaler tag that follows from it", async () => {
    const text = fs
      .readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8")
      .replace("config:\n", "config:\n  platform:versions:\n    kubernetes: v1.36.0\n");
    const message = await synthesize("prod", project("prod", text)).then(
      () => "",
      (error: Error) => error.message,
    );
    const lines = message.split("\n");
    expect(lines[0]).toMatch(/^\d+ config errors:$/);
    expect(lines[1]).toBe(
      '  - Invalid config platform:versions.kubernetes: "v1.36.0" is outside what talos v1.11.3 supports (Kubernetes 1.29 to 1.34); pin Kubernetes in that range or a talos that supports 1.36',
    );
    const autoscaler = lines.findIndex((l) => l.includes("cluster-autoscaler.imageTag"));
    const lastVersion = lines.map((l) => l.includes("platform:versions.kubernetes")).lastIndexOf(true);
    expect(autoscaler).toBeGreaterThan(lastVersion);
  });
});

describe("the README's config reference", () => {
  const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");

  /** `field` (default ...) pairs of each row of the services table. */
  function serviceRows(): { service: string; field: string; value: string }[] {
    const rows: { service: string; field: string; value: string }[] = [];
    const start = readme.indexOf("| service                 | options (default)");
    const table = readme.slice(start, readme.indexOf("\n\n", start)).split("\n").slice(2);
    for (const row of table) {
      // Columns: service | options (default) | ... ; `\|` inside a cell is not a border.
      const cells = row.split(/(?<!\\)\|/).map((c) => c.trim());
      const service = /^`([^`]+)`$/.exec(cells[1])?.[1] ?? "";
      const options = cells[2];
      for (const m of (options ?? "").matchAll(/`([A-Za-z]+)` \(([^)]*)\)/g))
        rows.push({ service, field: m[1], value: m[2].split(/[,;: ]/)[0] });
    }
    return rows;
  }

  /** A cluster of the shipped stacks that runs the service, with its settings block empty. */
  function defaultsOf(service: string): Record<string, unknown> {
    for (const stack of ["prod", "homelab", "stage"]) {
      const offline = loadOfflineConfig(ROOT, stack);
      const { clusters } = parseLeniently(
        {
          shape: offline.config["platform:shape"],
          clusters: offline.config["platform:clusters"],
          versions: offline.config["platform:versions"],
        },
        BUILT_IN_UNITS,
      );
      const cluster = clusters.find((c) => c.services.includes(service));
      if (!cluster) continue;
      // Required options get a value; everything else is left to its default.
      const block = service === "renovate" ? { repositories: ["org/repo"] } : {};
      const definition = BUILT_IN_SERVICES.find((d) => d.name === service) as TypedServiceDefinition<unknown>;
      return definition.spec.parse(new Reader(`${service}`, block), cluster, DEFAULT_VERSIONS) as Record<
        string,
        unknown
      >;
    }
    throw new Error(`no shipped cluster runs ${service}`);
  }

  // Values the table describes rather than states: the renovate image is pinned by digest.
  const DESCRIBED = new Set(["renovate.image", "renovate.repositories"]);

  it("states each service option's default as the code has it", () => {
    const rows = serviceRows().filter((r) => !DESCRIBED.has(`${r.service}.${r.field}`));
    expect(rows.length).toBeGreaterThan(20);
    const wrong = rows
      .map((r) => ({ ...r, code: String(defaultsOf(r.service)[r.field]) }))
      .filter((r) => r.code !== r.value)
      .map((r) => `${r.service}.${r.field}: README ${r.value}, code ${r.code}`);
    expect(wrong).toEqual([]);
  });
});
