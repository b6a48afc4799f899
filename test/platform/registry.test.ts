import { SERVICE_REGISTRY } from "../../components/platform/registry";
import { CONFIG_KEYS } from "../../config/keys";
import { SERVICES } from "../../config/catalog";
import { SERVICE_SETTINGS } from "../../config/services";

describe("platform service registry", () => {
  it("has a builder and a settings parser for every catalog service, and nothing else", () => {
    const catalog = Object.keys(SERVICES).sort();
    expect(Object.keys(SERVICE_REGISTRY).sort()).toEqual(catalog);
    expect(Object.keys(SERVICE_SETTINGS).sort()).toEqual(catalog);
    for (const [name, def] of Object.entries(SERVICE_REGISTRY)) expect(def.name).toBe(name);
  });

  it("declares every secret a service reads as a secret config key", () => {
    for (const def of Object.values(SERVICE_REGISTRY)) {
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
});
