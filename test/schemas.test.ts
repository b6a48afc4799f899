import * as fs from "node:fs";
import * as path from "node:path";
import { startSchemaValidator, validateSchemas } from "../tools/schemas";
import { shippedSynth } from "./helpers/shipped-synth";

const SAMPLE = [
  { apiVersion: "v1", kind: "Namespace", metadata: { name: "ok" } },
  {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "bad" },
    spec: { selector: {}, template: { spec: { containers: [{ name: "a", image: 3 }] } } },
  },
  { apiVersion: "metallb.io/v1beta1", kind: "IPAddressPool", metadata: { name: "pool" } },
];

describe("schema validation", () => {
  it("accepts a valid object, rejects a wrong type and lists unknown kinds as unvalidated", () => {
    const [valid, invalid, crd, unknown] = validateSchemas([
      { apiVersion: "v1", kind: "Namespace", metadata: { name: "ok" } },
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "bad" },
        spec: { selector: {}, template: { spec: { containers: [{ name: "a", image: 3 }] } } },
      },
      {
        apiVersion: "kustomize.toolkit.fluxcd.io/v1",
        kind: "Kustomization",
        metadata: { name: "apps", namespace: "flux-system" },
        spec: { interval: "10m", prune: "yes", sourceRef: { kind: "GitRepository", name: "flux-system" } },
      },
      { apiVersion: "metallb.io/v1beta1", kind: "IPAddressPool", metadata: { name: "pool" } },
    ]);
    expect(valid.status).toBe("valid");
    expect(invalid.status).toBe("invalid");
    expect(invalid.error).toContain("image must be string");
    expect(crd.status).toBe("invalid");
    expect(crd.error).toContain("prune must be boolean");
    expect(unknown.status).toBe("unvalidated");
  });

  it("gives the same results from a validator started ahead of its objects, preloading or not", async () => {
    const expected = validateSchemas(SAMPLE);
    expect(expected.map((r) => r.status)).toEqual(["valid", "invalid", "unvalidated"]);
    for (const preload of [true, false]) {
      const validator = startSchemaValidator({ preload });
      expect(await validator.validate(SAMPLE)).toEqual(expected);
      await expect(validator.validate(SAMPLE)).rejects.toThrow("validates one set of objects");
    }
  });

  it("preloads exactly the apiVersions with a model that the shipped stacks render", async () => {
    const listed = (
      JSON.parse(fs.readFileSync(path.join(__dirname, "..", "tools", "schema-preload.json"), "utf8")) as {
        apiVersions: string[];
      }
    ).apiVersions;
    const rendered = new Set<string>();
    for (const stack of ["stage", "prod", "homelab"])
      for (const r of (await shippedSynth(stack)).schema)
        if (r.status !== "unvalidated") rendered.add(r.apiVersion);
    expect([...listed].sort()).toEqual([...rendered].sort());
  });
});
