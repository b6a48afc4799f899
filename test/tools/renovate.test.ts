import * as fs from "node:fs";
import * as path from "node:path";
import { DEFAULT_VERSIONS } from "../../config/defaults";
// json5 is what Renovate itself parses renovate.json5 with (a dev dependency through the lockfile).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const JSON5 = require("json5") as { parse: (text: string) => unknown };

const ROOT = path.join(__dirname, "..", "..");

interface CustomManager {
  customType: string;
  managerFilePatterns: string[];
  matchStrings: string[];
  datasourceTemplate?: string;
  depNameTemplate?: string;
  currentValueTemplate?: string;
}

const config = JSON5.parse(fs.readFileSync(path.join(ROOT, "renovate.json5"), "utf8")) as {
  extends: string[];
  customManagers: CustomManager[];
};

/** A `/regex/` manager file pattern as a RegExp. */
function filePattern(p: string): RegExp {
  const m = /^\/(.*)\/([a-z]*)$/.exec(p);
  if (!m) throw new Error(`managerFilePatterns entry ${p} is not /regex/`);
  return new RegExp(m[1], m[2]);
}

/** Every manager regex as Renovate compiles it, refusing what RE2 does not support. */
function compiled(): RegExp[] {
  return config.customManagers.flatMap((m) =>
    m.matchStrings.map((s) => {
      expect({ pattern: s, re2Unsupported: /\(\?[=!]|\(\?<[=!]|\\[1-9]/.test(s) }).toEqual({
        pattern: s,
        re2Unsupported: false,
      });
      return new RegExp(s, "g");
    }),
  );
}

const SAMPLES: { file: string; text: string; groups: Record<string, string | undefined> }[] = [
  {
    file: "config/defaults.ts",
    text: '  // renovate: datasource=helm depName=cert-manager registryUrl=https://charts.jetstack.io\n  certManager: "v1.19.1",\n',
    groups: {
      datasource: "helm",
      depName: "cert-manager",
      registryUrl: "https://charts.jetstack.io",
      currentValue: "v1.19.1",
    },
  },
  {
    file: "config/defaults.ts",
    text: '  // renovate: datasource=github-releases depName=siderolabs/talos\n  talos: "v1.11.3",\n',
    groups: { datasource: "github-releases", depName: "siderolabs/talos", currentValue: "v1.11.3" },
  },
  {
    file: "config/defaults.ts",
    text: '  // renovate: datasource=github-releases depName=hetznercloud/csi-driver extractVersion=^v(?<version>.+)$\n  hcloudCsi: "2.19.0",\n',
    groups: {
      datasource: "github-releases",
      depName: "hetznercloud/csi-driver",
      extractVersion: "^v(?<version>.+)$",
      currentValue: "2.19.0",
    },
  },
  {
    file: "Pulumi.prod.yaml",
    text: "    # renovate: datasource=helm depName=argo-cd registryUrl=https://argoproj.github.io/argo-helm\n    argocdChart: 8.5.7\n",
    groups: { datasource: "helm", depName: "argo-cd", currentValue: "8.5.7" },
  },
  {
    file: "components/platform/steady.ts",
    text: `  // renovate: image\n  image: "ghcr.io/hitchai-app/platform-backend:1.4.0@sha256:${"b".repeat(64)}",\n`,
    groups: {
      depName: "ghcr.io/hitchai-app/platform-backend",
      currentValue: "1.4.0",
      currentDigest: `sha256:${"b".repeat(64)}`,
    },
  },
  {
    file: "Pulumi.homelab.yaml",
    text: "            # renovate: image\n            linkding: registry.local:5000/sissbruecker/linkding:1.44.1\n",
    groups: { depName: "registry.local:5000/sissbruecker/linkding", currentValue: "1.44.1" },
  },
];

describe("renovate.json5", () => {
  it("commits as chore(deps): update ... (source document 002)", () => {
    expect(config.extends).toEqual(
      expect.arrayContaining([":semanticCommits", ":semanticCommitTypeAll(chore)"]),
    );
  });

  it("gives every custom manager what Renovate requires: a datasource, a name and a current value", () => {
    for (const m of config.customManagers) {
      expect(m.customType).toBe("regex");
      for (const s of m.matchStrings) {
        expect({ s, datasource: /\(\?<datasource>/.test(s) || !!m.datasourceTemplate }).toEqual({
          s,
          datasource: true,
        });
        expect({ s, depName: /\(\?<depName>/.test(s) || !!m.depNameTemplate }).toEqual({ s, depName: true });
        expect({ s, currentValue: /\(\?<currentValue>/.test(s) || !!m.currentValueTemplate }).toEqual({
          s,
          currentValue: true,
        });
      }
    }
  });

  it.each(SAMPLES.map((s) => [s.text.split("\n")[1].trim(), s] as const))(
    "reads the annotated line %s",
    (_line, sample) => {
      const managers = config.customManagers.filter((m) =>
        m.managerFilePatterns.some((p) => filePattern(p).test(sample.file)),
      );
      const found = managers
        .flatMap((m) => m.matchStrings)
        .map((s) => new RegExp(s).exec(sample.text))
        .find((m) => m !== null);
      expect(found?.groups).toBeDefined();
      const got = Object.fromEntries(Object.keys(sample.groups).map((k) => [k, found!.groups![k]]));
      expect(got).toEqual(sample.groups);
    },
  );

  it("compiles every pattern without RE2-unsupported syntax", () => {
    expect(compiled().length).toBe(config.customManagers.reduce((n, m) => n + m.matchStrings.length, 0));
  });

  it("matches every `renovate:` annotation in the repository, so a malformed one fails here", () => {
    const patterns = compiled();
    const unmatched: string[] = [];
    for (const file of managedFiles()) {
      const text = fs.readFileSync(path.join(ROOT, file), "utf8");
      const lines = text.split("\n");
      lines.forEach((line, i) => {
        if (!/(\/\/|#) renovate:/.test(line)) return;
        const pair = `${line}\n${lines[i + 1] ?? ""}\n`;
        if (!patterns.some((p) => new RegExp(p.source).test(pair)))
          unmatched.push(`${file}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(unmatched).toEqual([]);
  });
});

/** Files the custom managers read, relative to the repository (tests and generated trees excluded). */
function managedFiles(): string[] {
  const files = config.customManagers.flatMap((m) => m.managerFilePatterns.map(filePattern));
  const walk = (dir: string): string[] =>
    fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
      const rel = dir ? `${dir}/${e.name}` : e.name;
      if (e.isDirectory())
        return ["node_modules", ".git", "out", "gitops", "test"].includes(e.name) ? [] : walk(rel);
      return files.some((f) => f.test(rel)) ? [rel] : [];
    });
  return walk("");
}

const ANNOTATION = /^\s*(?:\/\/|#) renovate: /;
/** A full image reference: registry or namespace path, then a tag. */
const IMAGE_REF =
  /^[a-z0-9][a-z0-9.-]*(?::\d+)?\/[a-z0-9._/-]+:[A-Za-z0-9_][A-Za-z0-9_.-]*(?:@sha256:[a-f0-9]{64})?$/;
/** A string value of a key named like a pin: version, chart version, image, tag. */
const PIN_KEY =
  /^\s*["']?([A-Za-z]*(?:[vV]ersion|Chart|[tT]ag|[iI]mage|[iI]mageName))["']?\??: ["']([^"']+)["']/;
const VERSION_LIKE = /\d+\.\d+/;
/**
 * Pins that Renovate must not bump on their own, each with the reason.
 * Keys are `file: value`.
 */
const NOT_RENOVATED: Record<string, string> = {};
for (const image of [
  "registry.k8s.io/sig-storage/csi-attacher:v4.10.0",
  "registry.k8s.io/sig-storage/csi-resizer:v2.0.0",
  "registry.k8s.io/sig-storage/csi-provisioner:v6.1.0",
  "registry.k8s.io/sig-storage/csi-node-driver-registrar:v2.15.0",
  "registry.k8s.io/sig-storage/livenessprobe:v2.17.0",
])
  NOT_RENOVATED[`components/cluster/talos/csi.ts: ${image}`] =
    "the sidecars of hcloud CSI 2.19.0's own manifest: they change with versions.hcloudCsi, whose bump fails until csi.ts renders the new release";

describe("every pinned default", () => {
  it("of DEFAULT_VERSIONS has an annotation on the line above it", () => {
    const lines = fs.readFileSync(path.join(ROOT, "config/defaults.ts"), "utf8").split("\n");
    const missing = Object.entries(DEFAULT_VERSIONS).filter(([key, value]) => {
      const i = lines.findIndex((l) => l.trim() === `${key}: "${value}",`);
      return i < 0 || !ANNOTATION.test(lines[i - 1]);
    });
    expect(missing).toEqual([]);
  });

  it("in config and code (chart versions, image tags, image references) has an annotation on the line above it", () => {
    const missing: string[] = [];
    let pins = 0;
    for (const file of managedFiles()) {
      if (!file.endsWith(".ts")) continue;
      const lines = fs.readFileSync(path.join(ROOT, file), "utf8").split("\n");
      lines.forEach((line, i) => {
        if (/^\s*(\/\/|\*|\/\*)/.test(line)) return;
        const keyed = PIN_KEY.exec(line);
        const literals = [...line.matchAll(/["'`]([^"'`$]+)["'`]/g)].map((m) => m[1]);
        const value =
          keyed && keyed[1] !== "apiVersion" && VERSION_LIKE.test(keyed[2])
            ? keyed[2]
            : literals.find((l) => IMAGE_REF.test(l));
        if (value === undefined) return;
        pins++;
        if (NOT_RENOVATED[`${file}: ${value}`]) return;
        if (!ANNOTATION.test(lines[i - 1] ?? "")) missing.push(`${file}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(pins).toBeGreaterThan(40);
    expect(missing).toEqual([]);
  });
});
