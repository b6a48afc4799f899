import { BUILT_IN_SERVICES } from "../../components/platform/registry";
import { CONFIG_KEYS } from "../../config/keys";
import { capabilitiesOf } from "../../components/cluster/capabilities";
import type { TypedServiceDefinition } from "../../components/platform/types";
import { DEFAULT_VERSIONS } from "../../config/defaults";
import { Reader } from "../../config/reader";
import { cluster, context } from "./fixtures";

describe("platform service list", () => {
  it("has one definition per name, each carrying its catalog entry", () => {
    const names = BUILT_IN_SERVICES.map((d) => d.name);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
    for (const def of BUILT_IN_SERVICES) expect(def.catalog.description.length).toBeGreaterThan(0);
  });

  it("names only services of the list in its catalog entries' needs and conflicts", () => {
    const names = new Set(BUILT_IN_SERVICES.map((d) => d.name));
    const unknown = BUILT_IN_SERVICES.flatMap((d) =>
      [...(d.catalog.needsServices ?? []), ...(d.catalog.conflictsWith ?? [])]
        .filter((n) => !names.has(n))
        .map((n) => `${d.name} -> ${n}`),
    );
    expect(unknown).toEqual([]);
  });

  it("adds the StorageClasses an enabled service's definition provides to the cluster's capabilities", () => {
    const cluster = { kind: "k3s", services: ["longhorn", "synology-nfs"], architecture: "arm64" } as const;
    const caps = capabilitiesOf(cluster as never, BUILT_IN_SERVICES);
    expect(caps.storageClasses).toEqual(["local-path", "longhorn", "synology-nfs", "synology-nfs-ephemeral"]);
    expect(caps.defaultStorageClass).toBe("longhorn");
    expect(capabilitiesOf(cluster as never, []).storageClasses).toEqual(["local-path"]);
  });

  it("declares every secret a service reads as a secret config key", () => {
    for (const def of BUILT_IN_SERVICES) {
      for (const key of Object.keys(def.secrets ?? {})) {
        const spec = (CONFIG_KEYS as Record<string, { secret: boolean } | undefined>)[key];
        expect({ service: def.name, key, secret: spec?.secret }).toEqual({
          service: def.name,
          key,
          secret: true,
        });
      }
    }
  });

  it("lists each secret config key with the services that read it", () => {
    const readers: Record<string, [boolean, string[]]> = {};
    for (const def of BUILT_IN_SERVICES)
      for (const [key, spec] of Object.entries(def.secrets ?? {}))
        (readers[key] ??= [spec.required, []])[1].push(def.name);
    expect(readers).toEqual({
      bitwardenAccessToken: [false, ["external-secrets"]],
      hcloudToken: [true, ["cluster-autoscaler"]],
      // Needed by mode (onepassword-operator's neededSecrets), so none is required outright.
      onePasswordCredentials: [false, ["onepassword-operator"]],
      onePasswordServiceAccountToken: [false, ["onepassword-operator"]],
      vaultToken: [false, ["external-secrets"]],
      cloudflareApiToken: [true, ["cert-manager"]],
      cnpgBackupS3AccessKeyId: [false, ["cloudnative-pg"]],
      cnpgBackupS3SecretAccessKey: [false, ["cloudnative-pg"]],
      longhornBackupS3AccessKeyId: [false, ["longhorn"]],
      longhornBackupS3SecretAccessKey: [false, ["longhorn"]],
      onePasswordConnectToken: [false, ["external-secrets", "onepassword-operator"]],
      renovateToken: [true, ["renovate"]],
    });
  });
});

describe("service charts", () => {
  it("pin each chart of a definition exactly, from an http(s) or OCI repository", () => {
    const charts = BUILT_IN_SERVICES.flatMap((d) =>
      Object.entries(d.charts ?? {}).map(([role, c]) => ({ service: d.name, role, ...c })),
    );
    expect(charts.length).toBeGreaterThan(15);
    for (const c of charts) {
      expect({
        ...c,
        ok: /^(https|oci):\/\/\S+$/.test(c.repository) && /^v?\d+\.\d+\.\d+$/.test(c.version),
      }).toEqual({ ...c, ok: true });
    }
  });

  it("are the charts every built-in service installs, with their default versions", () => {
    const checked: string[] = [];
    for (const def of BUILT_IN_SERVICES as readonly TypedServiceDefinition<unknown>[]) {
      const kind = def.catalog.kinds?.[0] ?? "talos-hcloud";
      const config = cluster(kind, [def.name]);
      let built;
      try {
        const settings = def.spec.parse(
          Reader.object(`serviceSettings.${def.name}`, {}),
          config,
          DEFAULT_VERSIONS,
        );
        built = def.spec.build(context(config, settings, Object.keys(def.secrets ?? {})));
      } catch {
        continue; // needs settings, a live parent or the cluster component's facts; its own test covers it
      }
      const declared = Object.values(def.charts ?? {}).map((c) => `${c.repository} ${c.name} ${c.version}`);
      const installed = built.items.flatMap((item) =>
        item.kind === "addon" ? [`${item.repository} ${item.chart} ${item.version}`] : [],
      );
      expect({ service: def.name, undeclared: installed.filter((c) => !declared.includes(c)) }).toEqual({
        service: def.name,
        undeclared: [],
      });
      checked.push(def.name);
    }
    expect(checked).toEqual(
      expect.arrayContaining([
        "cert-manager",
        "cloudnative-pg",
        "longhorn",
        "external-secrets",
        "metrics-server",
      ]),
    );
  });
});
