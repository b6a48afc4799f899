/**
 * A shared database cluster on the homelab (document 004 runs one 3-instance cluster in
 * namespace `database`, one database per app): opted in per cluster with
 * `serviceSettings.cloudnative-pg.sharedCluster`, on the real synth of the homelab stack.
 */
import type { Document } from "yaml";
import { synthEdited } from "./stack-synth";
import type { SynthResult } from "../../tools/synth";

// Synthesized manifests are untyped.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

const CNPG = ["config", "platform:clusters", "production", "serviceSettings", "cloudnative-pg"];

const share = (shared: Record<string, unknown>) => (doc: Document) =>
  doc.setIn([...CNPG, "sharedCluster"], shared);

function objects(result: SynthResult, cluster = "production"): Any[] {
  return result.objects.filter((o) => o.cluster === cluster).map((o) => o.object as Any);
}

describe("a shared database cluster", () => {
  let result: SynthResult;
  beforeAll(async () => {
    result = await synthEdited("homelab", (doc) => {
      share({ apps: ["commafeed", "linkding"], acknowledgeEmptyDatabases: true })(doc);
      // pgAdmin administers the shared cluster in place of the two it replaces.
      doc.setIn(
        ["config", "platform:clusters", "production", "appSettings", "pgadmin", "databases"],
        [
          "database/shared",
          "immich/immich-db",
          "nightscout/nightscout-db",
          "speedtest-tracker/speedtest-tracker-db",
        ],
      );
    });
  }, 300_000);

  it("passes the synth's schema and policy checks", () => {
    expect([result.ok, result.ok ? "" : result.summary]).toEqual([true, ""]);
  });

  it("renders one Cluster in its own namespace with a database and a login role per app, and no per-app cluster", () => {
    const all = objects(result);
    const clusters = all.filter(
      (o) => o.kind === "Cluster" && o.apiVersion.startsWith("postgresql.cnpg.io/"),
    );
    const shared = clusters.find((c) => c.metadata.name === "shared");
    expect(shared.metadata.namespace).toBe("database");
    expect(shared.spec.instances).toBe(3);
    expect(shared.spec.managed.roles.map((r: Any) => r.name).sort()).toEqual(["commafeed", "linkding"]);
    expect(clusters.filter((c) => ["commafeed", "linkding"].includes(c.metadata.namespace))).toEqual([]);
    const databases = all.filter((o) => o.kind === "Database" && o.spec.cluster.name === "shared");
    expect(databases.map((d) => [d.metadata.namespace, d.spec.name, d.spec.owner]).sort()).toEqual([
      ["database", "commafeed", "commafeed"],
      ["database", "linkding", "linkding"],
    ]);
    // Backups as for any cluster, in the shared cluster's namespace.
    expect(all.some((o) => o.kind === "ObjectStore" && o.metadata.namespace === "database")).toBe(true);
    expect(all.some((o) => o.kind === "Namespace" && o.metadata.name === "database")).toBe(true);
  });

  it("gives each app its credentials in its own namespace and admits exactly the apps that use it", () => {
    const secrets = result.resources
      .filter((r) => r.type === "kubernetes:core/v1:Secret")
      .map((r) => `${(r.inputs.metadata as Any).namespace}/${(r.inputs.metadata as Any).name}`);
    for (const app of ["commafeed", "linkding"])
      expect(secrets).toEqual(
        expect.arrayContaining([`database/postgres-${app}-user`, `${app}/postgres-${app}-user`]),
      );
    const all = objects(result);
    const policy = all.find((o) => o.kind === "NetworkPolicy" && o.metadata.name === "shared-postgres");
    const clients = policy.spec.ingress.find(
      (i: Any) => i.ports.length === 1 && i.ports[0].port === 5432,
    ).from;
    expect(
      clients
        .map((c: Any) => [
          c.namespaceSelector?.matchLabels["kubernetes.io/metadata.name"],
          c.podSelector.matchLabels["app.kubernetes.io/name"],
        ])
        .sort(),
    ).toEqual(
      expect.arrayContaining([
        ["commafeed", "commafeed"],
        ["linkding", "linkding"],
      ]),
    );
    const egress = all
      .filter((o) => o.kind === "NetworkPolicy" && o.metadata.namespace === "linkding")
      .flatMap((p) => p.spec.egress ?? [])
      .flatMap((e: Any) => e.to ?? []);
    expect(egress).toContainEqual({
      namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "database" } },
      podSelector: { matchLabels: { "cnpg.io/cluster": "shared" } },
    });
  });
});

describe("a shared database cluster, refused", () => {
  it.each([
    [
      "without the acknowledgement that listed apps start with empty databases",
      { apps: ["linkding"] },
      /sharedCluster\.acknowledgeEmptyDatabases = \(not set\): each listed app \(linkding\) gets a new, empty database/,
    ],
    [
      "an app the cluster does not run",
      { apps: ["mastodon"], acknowledgeEmptyDatabases: true },
      /sharedCluster\.apps = .*: mastodon is not in this cluster's apps/,
    ],
    [
      "an app that claims no database",
      { apps: ["homepage"], acknowledgeEmptyDatabases: true },
      /sharedCluster\.apps = .*: homepage claims no database; remove it from the list/,
    ],
  ])(
    "%s",
    async (_name, shared, message) => {
      await expect(synthEdited("homelab", share(shared))).rejects.toThrow(message);
    },
    300_000,
  );
});
