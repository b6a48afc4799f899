import { validateSchemas } from "../tools/schemas";

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
});
