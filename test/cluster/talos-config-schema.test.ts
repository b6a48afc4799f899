/** Every rendered Talos patch validates against the upstream v1.11 config schema (siderolabs/talos v1.11.3). */
import * as path from "node:path";
import { readFileSync } from "fs";
import Ajv2020 from "ajv/dist/2020";
import { certSans, machinePatch } from "../../components/cluster/talos/machine-config";
import { prod, versions } from "./talos-fixture";

const schema = JSON.parse(
  readFileSync(path.join(__dirname, "..", "fixtures", "upstream", "talos-v1.11-config.schema.json"), "utf8"),
) as Record<string, unknown>;
const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
const validate = ajv.compile({ ...schema, oneOf: undefined, $ref: "#/$defs/v1alpha1.Config" });

describe("Talos machine config patches", () => {
  it.each(prod.nodePools.map((p) => [p.name, p] as const))(
    "%s validates against the v1.11 schema",
    (_, pool) => {
      const patch = machinePatch(
        prod,
        versions,
        { role: pool.role, pool: pool.name, labels: pool.labels, taints: pool.taints },
        certSans(["198.51.100.7"], prod),
      );
      const ok = validate({ version: "v1alpha1", ...patch });
      expect(validate.errors ?? []).toEqual([]);
      expect(ok).toBe(true);
    },
  );
  it("rejects an unknown key (the check can fail)", () => {
    expect(validate({ version: "v1alpha1", machine: { nodeTaintz: {} }, cluster: {} })).toBe(false);
  });
});
