import * as pulumi from "@pulumi/pulumi";
import { mustPrecede, phaseOf, validateItems, withNamespace, type DeliveryItem } from "../../components/gitops";
import { fluxInstallUrl, fluxStages } from "../../components/gitops/fluxObjects";
import { ITEMS } from "./fixtures";

const addon = ITEMS[0] as Extract<DeliveryItem, { kind: "addon" }>;
const bundle = ITEMS[2] as Extract<DeliveryItem, { kind: "bundle" }>;

describe("delivery model", () => {
  it("accepts the fixture set", () => {
    expect(() => validateItems(ITEMS)).not.toThrow();
  });

  it("rejects a Secret in a bundle with a clear message", () => {
    const bad: DeliveryItem = { ...bundle, objects: [{ apiVersion: "v1", kind: "Secret", metadata: { name: "db" }, stringData: { password: "x" } }] };
    expect(() => validateItems([bad])).toThrow(
      'bundle "backend": object Secret/db is a Secret; Secrets are never emitted or delivered through git. Pass it as a LiveSecret or reference it through an operator',
    );
  });

  it("rejects unpinned chart versions", () => {
    expect(() => validateItems([{ ...addon, version: "latest" }])).toThrow(
      'addon "cert-manager": version "latest" must be an exact chart version such as 1.2.3, not a range or "latest"',
    );
    expect(() => validateItems([{ ...addon, version: "^1.16.0" }])).toThrow('version "^1.16.0" must be an exact chart version');
  });

  it("rejects non-plain values (an Output would leak into a file)", () => {
    const values = { password: pulumi.secret("s3cret") } as unknown as Record<string, string>;
    expect(() => validateItems([{ ...addon, values }])).toThrow(
      'addon "cert-manager": values.password is not plain data; Helm values never hold Outputs or secrets',
    );
  });

  it("rejects duplicates, bad names and reserved names", () => {
    expect(() => validateItems([addon, addon])).toThrow('addon "cert-manager": duplicate item name; names are unique per cluster');
    expect(() => validateItems([{ ...addon, name: "Cert_Manager" }])).toThrow('addon "Cert_Manager": name must be a DNS label');
    expect(() => validateItems([{ ...bundle, name: "migrations" }])).toThrow('bundle "migrations": name is reserved for the Flux phase directories');
    expect(() => validateItems([{ ...addon, repository: "http://charts.example" }])).toThrow(
      'addon "cert-manager": repository "http://charts.example" must start with https:// or oci://',
    );
  });

  it("derives phases and namespaces", () => {
    expect(bundle.objects.map(phaseOf)).toEqual(["base", "base", "migrations", "workloads"]);
    expect(withNamespace(bundle.objects[1], "steady").metadata.namespace).toBe("steady");
    expect(withNamespace(bundle.objects[0], "steady").metadata.namespace).toBeUndefined();
  });

  it("orders layers and, within an item, phases", () => {
    const k = (layer: DeliveryItem["layer"], item: string, phase: "base" | "migrations" | "workloads") => ({ layer, item, phase });
    expect(mustPrecede(k("infrastructure-controllers", "a", "base"), k("apps", "b", "base"))).toBe(true);
    expect(mustPrecede(k("apps", "b", "base"), k("infrastructure-controllers", "a", "base"))).toBe(false);
    expect(mustPrecede(k("monitoring", "m", "base"), k("apps", "b", "base"))).toBe(false);
    expect(mustPrecede(k("apps", "b", "migrations"), k("apps", "b", "workloads"))).toBe(true);
    expect(mustPrecede(k("apps", "b", "migrations"), k("apps", "c", "workloads"))).toBe(false);
  });

  it("pins the Flux install manifest", () => {
    expect(fluxInstallUrl("2.7.5")).toBe("https://github.com/fluxcd/flux2/releases/download/v2.7.5/install.yaml");
    expect(fluxInstallUrl("v2.7.5")).toBe("https://github.com/fluxcd/flux2/releases/download/v2.7.5/install.yaml");
    expect(() => fluxInstallUrl("latest")).toThrow('versions.flux: "latest" must be an exact Flux version such as 2.7.5');
  });

  it("builds Flux stages with dependsOn in layer order", () => {
    expect(fluxStages(ITEMS).map((s) => [s.name, s.dir, s.dependsOn])).toEqual([
      ["infrastructure-controllers", "infrastructure-controllers", []],
      ["infrastructure-configs", "infrastructure-configs", ["infrastructure-controllers"]],
      ["apps", "apps", ["infrastructure-configs"]],
      ["apps-migrations", "apps/migrations", ["apps"]],
      ["apps-workloads", "apps/workloads", ["apps-migrations"]],
      ["monitoring", "monitoring", []],
    ]);
  });
});
