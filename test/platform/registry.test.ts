import { BUILT_IN_SERVICES } from "../../components/platform/registry";
import { CONFIG_KEYS } from "../../config/keys";
import { SERVICES } from "../../config/catalog";

describe("platform service list", () => {
  it("has one definition for every catalog service, and nothing else", () => {
    const names = BUILT_IN_SERVICES.map((d) => d.name);
    expect([...names].sort()).toEqual(Object.keys(SERVICES).sort());
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
    for (const def of BUILT_IN_SERVICES) expect(def.catalog).toBe(SERVICES[def.name]);
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
});
