import { BUILT_IN_UNITS } from "../stacks/units";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { CONFIG_KEYS, isDeclaredInProject, type KeySpec } from "../config/keys";
import { loadConfig } from "../config/load";
import { fakeKubeconfig, runProgram } from "../lib/mock-runtime";
import { MORE_CASES } from "./config-more.cases";
import { cloudConfig, FAKE, homelabConfig, secretKeysOf } from "./fixtures";

type Config = Record<string, unknown>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Clusters = Record<string, any>;

function clusters(config: Config): Clusters {
  return config["platform:clusters"] as Clusters;
}

/** Runs loadConfig under the mock runtime; returns the error (if any) and the resources. */
async function load(config: Config, secretKeys = secretKeysOf(config)) {
  const { resources, outputs } = await runProgram(
    () => {
      try {
        return { config: loadConfig(BUILT_IN_UNITS), error: undefined };
      } catch (error) {
        return { config: undefined, error: error as Error };
      }
    },
    { stack: "test", config, secretKeys },
  );
  return { resources, ...outputs };
}

const CASES: [string, () => Config, string][] = [
  [
    "missing shape",
    () => {
      const c = cloudConfig();
      delete c["platform:shape"];
      return c;
    },
    "Invalid config platform:shape = (not set): expected cloud (Talos on Hetzner Cloud) or homelab",
  ],
  [
    "unknown shape",
    () => ({ ...cloudConfig(), "platform:shape": "cluod" }),
    'platform:shape = "cluod": expected cloud',
  ],
  [
    "missing clusters",
    () => {
      const c = cloudConfig();
      delete c["platform:clusters"];
      return c;
    },
    "platform:clusters = (not set): expected an object",
  ],
  [
    "clusters of the wrong type",
    () => ({ ...cloudConfig(), "platform:clusters": "prod" }),
    'platform:clusters = "prod": expected an object (a YAML mapping), found a string',
  ],
  [
    "unknown cluster kind",
    () => {
      const c = cloudConfig();
      clusters(c).prod.kind = "eks";
      return c;
    },
    'platform:clusters.prod.kind = "eks": expected one of: talos-hcloud, k3s, k3d-proxmox',
  ],
  [
    "unknown engine",
    () => {
      const c = cloudConfig();
      clusters(c).prod.engine = "jenkins";
      return c;
    },
    'platform:clusters.prod.engine = "jenkins": expected one of: flux, argocd',
  ],
  [
    "unknown delivery mode",
    () => {
      const c = cloudConfig();
      clusters(c).prod.delivery = "push";
      return c;
    },
    'platform:clusters.prod.delivery = "push": expected one of: deploy, emit',
  ],
  [
    "bad domain",
    () => {
      const c = cloudConfig();
      clusters(c).prod.domain = "Example Org";
      return c;
    },
    "platform:clusters.prod.domain",
  ],
  [
    "scp-style git url",
    () => {
      const c = cloudConfig();
      clusters(c).prod.git.url = "git@github.com:x/y.git";
      return c;
    },
    "expected an https:// or ssh:// repository URL",
  ],
  [
    "unknown cluster key",
    () => {
      const c = cloudConfig();
      clusters(c).prod.nodepools = [];
      return c;
    },
    "platform:clusters.prod.nodepools = []: unknown key",
  ],
  [
    "even control-plane count",
    () => {
      const c = cloudConfig();
      clusters(c).prod.nodePools[0].count = 2;
      return c;
    },
    "Invalid config platform:clusters.prod.nodePools: 2 control-plane nodes in total; etcd needs an odd number (1, 3 or 5)",
  ],
  [
    "even K3s server count",
    () => {
      const c = homelabConfig();
      clusters(c).production.hosts.pop();
      return c;
    },
    "Invalid config platform:clusters.production.hosts has 2 server(s) (node-1, node-2); embedded etcd needs an odd number",
  ],
  [
    "duplicate host address",
    () => {
      const c = homelabConfig();
      clusters(c).production.hosts[2].address = "10.0.40.101";
      return c;
    },
    'platform:clusters.production.hosts[2].address "10.0.40.101" is used by another host; host addresses must be unique',
  ],
  [
    "invalid host IP",
    () => {
      const c = homelabConfig();
      clusters(c).production.hosts[1].address = "10.0.40.300";
      return c;
    },
    'hosts[1].address = "10.0.40.300": expected an IPv4 address',
  ],
  [
    "VIP outside the MetalLB pool",
    () => {
      const c = homelabConfig();
      clusters(c).production.vip = "10.0.40.200";
      return c;
    },
    'platform:clusters.production.vip "10.0.40.200" is outside platform:clusters.production.loadBalancerPool "10.0.40.100-10.0.40.119"',
  ],
  [
    "CIDR with host bits",
    () => {
      const c = cloudConfig();
      clusters(c).prod.networkCidr = "10.0.0.1/16";
      return c;
    },
    'platform:clusters.prod.networkCidr = "10.0.0.1/16": expected an IPv4 CIDR block with zero host bits',
  ],
  [
    "CIDR with a bad prefix",
    () => {
      const c = cloudConfig();
      clusters(c).prod.podCidr = "10.0.128.0/33";
      return c;
    },
    "platform:clusters.prod.podCidr",
  ],
  [
    "overlapping CIDRs",
    () => {
      const c = cloudConfig();
      clusters(c).prod.serviceCidr = "10.0.128.0/20";
      return c;
    },
    'platform:clusters.prod.serviceCidr: "10.0.128.0/20" overlaps platform:clusters.prod.podCidr "10.0.128.0/17"',
  ],
  [
    "node subnet outside the network",
    () => {
      const c = cloudConfig();
      clusters(c).prod.nodeSubnetCidr = "10.1.0.0/24";
      return c;
    },
    'platform:clusters.prod.nodeSubnetCidr: "10.1.0.0/24" must lie inside platform:clusters.prod.networkCidr "10.0.0.0/16"',
  ],
  [
    "latest as a version",
    () => ({ ...cloudConfig(), "platform:versions": { talos: "latest" } }),
    'platform:versions.talos = "latest": expected a pinned version such as v1.11.3 (never latest or a range)',
  ],
  [
    "K3s version without the k3s suffix",
    () => ({ ...homelabConfig(), "platform:versions": { k3s: "v1.33.5" } }),
    'platform:versions.k3s = "v1.33.5": expected a pinned version such as v1.33.5+k3s1',
  ],
  [
    "unknown version key",
    () => ({ ...cloudConfig(), "platform:versions": { helm: "3.0.0" } }),
    "platform:versions.helm",
  ],
  [
    "unknown service",
    () => {
      const c = cloudConfig();
      clusters(c).prod.services.push("nginx-ingress");
      return c;
    },
    'platform:clusters.prod.services[5] = "nginx-ingress": unknown platform service',
  ],
  [
    "unknown app",
    () => {
      const c = cloudConfig();
      clusters(c).prod.apps.push("wordpress");
      return c;
    },
    'platform:clusters.prod.apps[1] = "wordpress": unknown application',
  ],
  [
    "app without the database it needs",
    () => {
      const c = cloudConfig();
      clusters(c).prod.services = clusters(c).prod.services.filter((s: string) => s !== "cloudnative-pg");
      return c;
    },
    'platform:clusters.prod.apps[0] = "mastodon": needs the cloudnative-pg service on this cluster',
  ],
  [
    "app on a cluster without its ingress",
    () => {
      const c = homelabConfig();
      clusters(c).production.services.push("external-secrets", "victoria-metrics");
      clusters(c).production.apps.push("mastodon");
      return c;
    },
    "needs gateway-api ingress, but k3s clusters route through traefik",
  ],
  [
    "app on a cluster without its storage",
    () => {
      const c = homelabConfig();
      clusters(c).production.services = ["cert-manager", "cloudnative-pg", "longhorn", "metallb"];
      delete clusters(c).production.serviceSettings;
      return c;
    },
    'apps[0] = "immich": needs the synology-nfs StorageClass, which this cluster lacks (has: local-path, longhorn)',
  ],
  [
    "service on the wrong cluster kind",
    () => {
      const c = homelabConfig();
      clusters(c).staging.services.push("longhorn");
      return c;
    },
    'platform:clusters.staging.services[0] = "longhorn": runs only on k3s clusters, not k3d-proxmox',
  ],
  [
    "missing required secret",
    () => {
      const c = cloudConfig();
      delete c["platform:hcloudToken"];
      return c;
    },
    "platform:hcloudToken = (not set): required for this stack; set it with: pulumi config set --secret platform:hcloudToken <value>",
  ],
  ["secret set in plaintext", () => cloudConfig(), 'platform:hcloudToken = "(plaintext)": this is a secret'],
  [
    "port of the wrong type",
    () => {
      const c = homelabConfig();
      clusters(c).production.sshPort = "22";
      return c;
    },
    'platform:clusters.production.sshPort = "22": expected a whole number, found a string',
  ],
  [
    "autoscaled control plane",
    () => {
      const c = cloudConfig();
      clusters(c).prod.nodePools[0].autoscaler = { max: 3 };
      return c;
    },
    "only worker pools can be autoscaled",
  ],
  [
    "emit into another directory",
    () => {
      const c = homelabConfig();
      clusters(c).staging.git.path = "clusters/staging";
      return c;
    },
    'platform:clusters.staging.git.path = "clusters/staging": in emit mode the engine must sync the emitted tree; set it to gitops/test/staging',
  ],
  [
    "cluster kind of another shape",
    () => {
      const c = cloudConfig();
      c["platform:clusters"] = { production: clusters(homelabConfig()).production };
      return c;
    },
    'platform:clusters.production.kind = "k3s": a cloud stack holds only talos-hcloud or existing clusters',
  ],
  [
    "malformed taint",
    () => {
      const c = cloudConfig();
      clusters(c).prod.nodePools[2].taints = ["autoscaler-node"];
      return c;
    },
    "expected a taint as key=value:Effect",
  ],
  ["unknown top-level key", () => ({ ...cloudConfig(), "platform:region": "fsn1" }), "platform:region"],
  [
    "unknown architecture",
    () => {
      const c = homelabConfig();
      clusters(c).production.architecture = "x86";
      return c;
    },
    'platform:clusters.production.architecture = "x86": expected one of: amd64, arm64',
  ],
  [
    "both image sources",
    () => {
      const c = cloudConfig();
      clusters(c).prod.image.snapshotId = 123;
      return c;
    },
    "set exactly one of snapshotId or selector",
  ],
  [
    "no API sources",
    () => {
      const c = cloudConfig();
      clusters(c).prod.apiAllowedCidrs = [];
      return c;
    },
    "list the CIDRs allowed to reach the Kubernetes and Talos APIs",
  ],
  [
    "unknown Hetzner server type",
    () => {
      const c = cloudConfig();
      clusters(c).prod.nodePools[1].serverType = "cx99";
      return c;
    },
    'Invalid config platform:clusters.prod.nodePools[1].serverType: unknown Hetzner server type "cx99"',
  ],
  [
    "a K3s flag the component owns",
    () => {
      const c = homelabConfig();
      clusters(c).production.extraServerArgs = ["--cluster-init"];
      return c;
    },
    "Invalid config platform:clusters.production.extraServerArgs",
  ],
  [
    "SOPS key without Flux",
    () => ({ ...cloudConfig(), "platform:sopsAgeKey": FAKE("age") }),
    "only Flux decrypts SOPS files",
  ],
];

describe("config validation", () => {
  it("accepts the baseline configs", async () => {
    for (const config of [cloudConfig(), homelabConfig()]) {
      const { error } = await load(config);
      expect(error).toBeUndefined();
    }
  });

  it.each([...CASES, ...MORE_CASES])(
    "rejects %s with one clear error and no resources",
    async (_name, make, message) => {
      const config = make();
      const secretKeys =
        _name === "secret set in plaintext"
          ? secretKeysOf(config).filter((k) => k !== "platform:hcloudToken")
          : secretKeysOf(config);
      const { error, resources } = await load(config, secretKeys);
      expect(error).toBeInstanceOf(pulumi.RunError);
      expect(error?.message).toContain(message);
      expect(error?.message.split("\n")).toHaveLength(1);
      // An error never prints a secret's value.
      expect(error?.message).not.toContain("fake-test-");
      expect(resources).toEqual([]);
    },
  );

  it("reports every error of a run at once, incompatibilities first", async () => {
    // A user enabling Mastodon on the homelab's K3s cluster: its ingress kind cannot be fixed
    // by adding services, so that comes first; then each missing service; then an unrelated
    // error in another cluster.
    const config = homelabConfig();
    clusters(config).production.apps = ["immich", "mastodon"];
    clusters(config).staging.k3d = { servers: 2 };
    const { error, resources } = await load(config);
    expect(error?.message.split("\n")).toEqual([
      "4 config errors:",
      '  - Invalid config platform:clusters.production.apps[1] = "mastodon": needs gateway-api ingress, but k3s clusters route through traefik; run it on a cluster with gateway-api',
      '  - Invalid config platform:clusters.production.apps[1] = "mastodon": needs the external-secrets service on this cluster; add external-secrets to services or remove mastodon',
      '  - Invalid config platform:clusters.production.apps[1] = "mastodon": needs the victoria-metrics service on this cluster; add victoria-metrics to services or remove mastodon',
      "  - Invalid config platform:clusters.staging.k3d.servers is 2; embedded etcd needs an odd number: use 1 server or 3 or more (3, 5, 7)",
    ]);
    expect(resources).toEqual([]);
  });

  it("has at least 60 bad-config cases", () => {
    expect(CASES.length + MORE_CASES.length).toBeGreaterThanOrEqual(60);
  });

  it("applies defaults and keeps secrets secret", async () => {
    const { config } = await load(homelabConfig());
    const staging = config!.clusters.find((c) => c.name === "staging")!;
    expect(staging.kind === "k3d-proxmox" && staging.k3d).toEqual({
      servers: 1,
      agents: 3,
      registryMirrors: {},
    });
    expect(staging.git.path).toBe("gitops/test/staging");
    expect(config!.versions.flux).toBe("v2.7.5");
    expect(await pulumi.isSecret(config!.secrets.sshPrivateKey!)).toBe(true);
  });
});

describe("config schema", () => {
  const project = parse(fs.readFileSync(path.join(__dirname, "..", "Pulumi.yaml"), "utf8")) as {
    config: Record<string, { type: string; secret?: boolean; description?: string }>;
  };

  it("declares exactly the keys the config module reads", async () => {
    const read = new Set<string>();
    const proto = pulumi.Config.prototype;
    const methods = ["get", "getObject", "getSecret", "requireSecret", "require", "requireObject"] as const;
    const spies = methods.map((method) => {
      const original = proto[method] as (this: pulumi.Config, key: string) => unknown;
      const spy = jest.spyOn(proto, method) as unknown as jest.SpyInstance<unknown, [string]>;
      return spy.mockImplementation(function (this: pulumi.Config, key: string) {
        read.add(`${this.name}:${key}`);
        return original.call(this, key);
      });
    });
    // Every service secret, set: the program reads each one it is given.
    const serviceSecrets = Object.fromEntries(
      [
        "cnpgBackupS3AccessKeyId",
        "cnpgBackupS3SecretAccessKey",
        "longhornBackupS3AccessKeyId",
        "longhornBackupS3SecretAccessKey",
        "bitwardenAccessToken",
        "vaultToken",
        "onePasswordConnectToken",
        "onePasswordCredentials",
        "onePasswordServiceAccountToken",
        "renovateToken",
        "steadyGhcrDockerConfigJson",
        "ntfyWebPushPublicKey",
        "ntfyWebPushPrivateKey",
      ].map((k) => [`platform:${k}`, FAKE(k)]),
    );
    const everything = {
      ...cloudConfig(),
      ...serviceSecrets,
      "platform:gitToken": FAKE("git"),
      "platform:versions": {},
    };
    expect((await load(everything)).error).toBeUndefined();
    const homelab = {
      ...homelabConfig(),
      "platform:sopsAgeKey": FAKE("age"),
      "platform:gitToken": FAKE("git"),
      "platform:k3sEtcdS3AccessKeyId": FAKE("etcd-key-id"),
      "platform:k3sEtcdS3SecretAccessKey": FAKE("etcd-secret"),
    };
    expect((await load(homelab)).error).toBeUndefined();
    const existing = homelabConfig();
    const production = clusters(existing).production;
    clusters(existing).production = {
      ...Object.fromEntries(
        ["engine", "domain", "git", "services", "serviceSettings", "apps", "appSettings"].map((k) => [
          k,
          production[k],
        ]),
      ),
      kind: "existing",
      storageClasses: ["local-path"],
      serviceSettings: { ...production.serviceSettings, metallb: { addresses: ["10.0.40.100-10.0.40.119"] } },
    };
    existing["platform:kubeconfigs"] = JSON.stringify({ production: fakeKubeconfig("production") });
    expect((await load(existing, [...secretKeysOf(existing), "platform:kubeconfigs"])).error).toBeUndefined();
    spies.forEach((s) => s.mockRestore());
    const all = Object.keys(CONFIG_KEYS)
      .map((k) => `platform:${k}`)
      .sort();
    expect([...read].sort()).toEqual(all);
    expect(Object.keys(project.config).sort()).toEqual(
      (Object.keys(CONFIG_KEYS) as (keyof typeof CONFIG_KEYS)[])
        .filter(isDeclaredInProject)
        .map((k) => `platform:${k}`)
        .sort(),
    );
  });

  it("types and describes declared keys the same way as config/keys.ts", () => {
    for (const [key, decl] of Object.entries(project.config)) {
      const spec = CONFIG_KEYS[key.replace(/^platform:/, "") as keyof typeof CONFIG_KEYS];
      expect({ key, type: decl.type, description: decl.description }).toEqual({
        key,
        type: spec.type,
        description: spec.description,
      });
    }
  });

  it("declares only keys the CLI accepts on every stack", () => {
    // The CLI refuses a stack lacking a declared key without a default, and a declared secret
    // whose (default) value is not encrypted: see the comment in Pulumi.yaml.
    const everyShape = ["cloud", "homelab"];
    for (const [key, decl] of Object.entries(project.config) as [
      string,
      { secret?: boolean; default?: unknown },
    ][]) {
      const spec: KeySpec = CONFIG_KEYS[key.replace(/^platform:/, "") as keyof typeof CONFIG_KEYS];
      expect({ key, secret: decl.secret === true }).toEqual({ key, secret: false });
      if (decl.default === undefined) {
        expect({
          key,
          requiredEverywhere: everyShape.every((s) => spec.requiredFor?.includes(s as never)),
        }).toEqual({
          key,
          requiredEverywhere: true,
        });
      }
    }
  });

  it("is documented key by key in the README, with a set command for every secret", () => {
    const readme = fs.readFileSync(path.join(__dirname, "..", "README.md"), "utf8");
    for (const [key, spec] of Object.entries(CONFIG_KEYS)) {
      expect({ key, documented: new RegExp(`\\|\\s*\`platform:${key}\`\\s*\\|`).test(readme) }).toEqual({
        key,
        documented: true,
      });
      if (spec.secret) expect(readme).toContain(`pulumi config set --secret platform:${key} `);
    }
  });

  it("keeps every stack file free of plaintext secrets", () => {
    for (const stack of ["stage", "prod", "homelab"]) {
      const file = parse(fs.readFileSync(path.join(__dirname, "..", `Pulumi.${stack}.yaml`), "utf8")) as {
        config: Record<string, unknown>;
      };
      for (const [key, value] of Object.entries(file.config)) {
        const spec = CONFIG_KEYS[key.replace(/^platform:/, "") as keyof typeof CONFIG_KEYS];
        if (spec?.secret)
          expect({
            key,
            encrypted: typeof value === "object" && value !== null && "secure" in value,
          }).toEqual({ key, encrypted: true });
      }
    }
  });
});
