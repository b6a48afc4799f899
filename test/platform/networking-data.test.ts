import { NETWORKING_DATA_SECRETS, NETWORKING_DATA_SERVICES } from "../../components/platform/networking-data";

describe("networking-data group", () => {
  it("registers a builder and a parser per service, keyed by its name", () => {
    // One settings parser per service lives in config/services (test/platform/registry.test.ts).
    for (const [name, def] of Object.entries(NETWORKING_DATA_SERVICES)) expect(def.name).toBe(name);
  });

  it("declares its secret config keys", () => {
    expect(Object.entries(NETWORKING_DATA_SECRETS).map(([k, v]) => [k, v.required, v.services])).toEqual([
      ["cloudflareApiToken", true, ["cert-manager"]],
      ["cnpgBackupS3AccessKeyId", false, ["cloudnative-pg"]],
      ["cnpgBackupS3SecretAccessKey", false, ["cloudnative-pg"]],
      ["longhornBackupS3AccessKeyId", false, ["longhorn"]],
      ["longhornBackupS3SecretAccessKey", false, ["longhorn"]],
    ]);
  });
});
