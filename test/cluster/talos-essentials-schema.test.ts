import { parseAllDocuments } from "yaml";
import { essentialInlineManifests } from "../../components/cluster/talos";
import { validateSchemas } from "../../tools/schemas";
import { prod, versions } from "./talos-fixture";

describe("Talos in-cluster essentials", () => {
  it("are schema-valid Kubernetes objects and carry no Secret", () => {
    const objects = essentialInlineManifests(prod, versions).flatMap((m) =>
      parseAllDocuments(m.contents).map((d) => d.toJS() as Record<string, unknown>),
    );
    const kinds = objects.map((o) => o["kind"]);
    expect(kinds).toEqual(expect.arrayContaining(["StorageClass", "CronJob", "Job", "ServiceAccount"]));
    expect(kinds).not.toContain("Secret");
    const results = validateSchemas(objects);
    expect(results.filter((r) => r.status === "invalid")).toEqual([]);
    expect(results.filter((r) => r.status === "valid").length).toBeGreaterThanOrEqual(4);
  });
});
