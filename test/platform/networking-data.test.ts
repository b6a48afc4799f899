import {
  NETWORKING_DATA_SECRETS,
  NETWORKING_DATA_SERVICES,
  NETWORKING_DATA_SETTINGS,
} from "../../components/platform/networking-data";
import { SERVICES } from "../../config/catalog";

describe("networking-data group", () => {
  it("registers a builder and a parser per service, keyed by its name", () => {
    expect(Object.keys(NETWORKING_DATA_SERVICES)).toEqual(Object.keys(NETWORKING_DATA_SETTINGS));
    for (const [name, def] of Object.entries(NETWORKING_DATA_SERVICES)) expect(def.name).toBe(name);
  });

  it("builds only services the catalog knows", () => {
    expect(Object.keys(NETWORKING_DATA_SERVICES).filter((n) => !SERVICES[n])).toEqual([]);
  });

  it("declares its secret config keys", () => {
    expect(Object.entries(NETWORKING_DATA_SECRETS).map(([k, v]) => [k, v.required, v.services])).toEqual([
      ["cloudflareApiToken", true, ["cert-manager"]],
      ["cnpgBackupS3AccessKeyId", false, ["cloudnative-pg"]],
      ["cnpgBackupS3SecretAccessKey", false, ["cloudnative-pg"]],
    ]);
  });
});
