import { BUILT_IN_SERVICES } from "../../components/platform/registry";
import { CONFIG_KEYS } from "../../config/keys";
import { capabilitiesOf } from "../../components/cluster/capabilities";

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
      onePasswordCredentials: [true, ["onepassword-operator"]],
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
