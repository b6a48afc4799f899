/** Warnings of the offline diff that the README promises: a K3s host rename, a CloudNativePG bootstrap change. */
import type { RecordedResource } from "../../lib/mock-runtime";
import { bootstrapWarning, diffResources, diffStack, renderText, type Plan } from "../../tools/diff-core";

const K3S_PARENT = "urn:pulumi:homelab::platform::platform:cluster:K3sCluster::production";

/** A resource as the mock runtime records it. */
function res(type: string, name: string, extra: Partial<RecordedResource> = {}): RecordedResource {
  return {
    urn: `urn:pulumi:homelab::platform::${type}::${name}`,
    type,
    name,
    custom: true,
    dependsOn: [],
    protect: false,
    retainOnDelete: false,
    ignoreChanges: [],
    deleteBeforeReplace: false,
    replaceOnChanges: [],
    additionalSecretOutputs: [],
    inputs: {},
    ...extra,
  };
}

/** A K3s host's installer command. */
const install = (host: string) =>
  res("command:remote:Command", `production-${host}-install`, {
    urn: `urn:pulumi:homelab::platform::platform:cluster:K3sCluster$command:remote:Command::production-${host}-install`,
    parent: K3S_PARENT,
  });

const plan = (resources: RecordedResource[]): Plan => ({ resources });

describe("a K3s host renamed", () => {
  it("warns on the new host's installer, with the README's two-step way", () => {
    const changes = diffResources(
      plan([install("cm5-1"), install("cm5-3")]),
      plan([install("cm5-1"), install("cm5-4")]),
    );
    const created = changes.find((c) => c.op === "create")!;
    expect(created.name).toBe("production-cm5-4-install");
    expect(created.warning).toBe(
      "adds K3s host cm5-4 while removing cm5-3: if this renames the same machine, the update stops (the new name's installer refuses a host that runs K3s as another node); remove the old host and `pulumi up`, then add the new name and `pulumi up`.",
    );
    expect(changes.find((c) => c.op === "delete")!.warning).toBeUndefined();
  });

  it("says nothing when a host is only added or only removed", () => {
    const added = diffResources(plan([install("cm5-1")]), plan([install("cm5-1"), install("cm5-2")]));
    expect(added.map((c) => c.warning)).toEqual([undefined]);
    const removed = diffResources(plan([install("cm5-1"), install("cm5-2")]), plan([install("cm5-1")]));
    expect(removed.map((c) => c.warning)).toEqual([undefined]);
  });
});

describe("a CloudNativePG bootstrap change", () => {
  const cluster = (bootstrap: string) =>
    [
      "apiVersion: postgresql.cnpg.io/v1",
      "kind: Cluster",
      "metadata:",
      "  name: mastodon-db",
      "  namespace: mastodon",
      "spec:",
      "  instances: 2",
      "  bootstrap:",
      `    initdb: { database: ${bootstrap}, owner: app }`,
      "",
    ].join("\n");

  it("says, for an existing cluster, that bootstrap applies only to new clusters", () => {
    expect(bootstrapWarning(cluster("mastodon"), cluster("mastodon_production"))).toBe(
      "changes spec.bootstrap of CloudNativePG Cluster mastodon/mastodon-db: bootstrap applies only when a cluster is created; the running cluster ignores it (CloudNativePG docs, Bootstrap).",
    );
    expect(
      bootstrapWarning(cluster("mastodon"), cluster("mastodon").replace("instances: 2", "instances: 3")),
    ).toBeUndefined();
    expect(bootstrapWarning(undefined, cluster("mastodon"))).toBeUndefined();
  });

  it("shows the warning in the stack diff of an emitted file and notes it on a live Cluster", () => {
    const file = "gitops/homelab/production/apps/mastodon/cluster.yaml";
    const d = diffStack(
      "homelab",
      { plan: plan([]), files: new Map([[file, cluster("mastodon")]]) },
      { plan: plan([]), files: new Map([[file, cluster("other")]]) },
    );
    expect(renderText(d)).toContain(
      `WARNING production: ${file} changes spec.bootstrap of CloudNativePG Cluster mastodon/mastodon-db:`,
    );
    const live = (database: string) =>
      res("kubernetes:postgresql.cnpg.io/v1:Cluster", "mastodon-db", {
        inputs: { spec: { bootstrap: { initdb: { database } } } },
      });
    const [change] = diffResources(plan([live("a")]), plan([live("b")]));
    expect(change.changes).toEqual([
      {
        path: "spec.bootstrap.initdb.database",
        summary: '"a" -> "b"',
        forcesReplace: false,
        note: "bootstrap applies only when a cluster is created; the running cluster ignores it (CloudNativePG docs, Bootstrap)",
      },
    ]);
  });
});
