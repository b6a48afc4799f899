/**
 * Issue #21 items 5 and 6 over the shipped stacks' synth output: the shared Gateway and the
 * ClusterSecretStores admit only the namespaces the program labels for them, every namespace
 * an app creates denies by default, every CloudNativePG cluster's pods have their policy, no
 * egress reaches the internet without excluding the private and link-local ranges, and pgAdmin
 * reaches only the database clusters it lists.
 */
import type { SynthResult } from "../../tools/synth";
import { shippedSynth } from "../helpers/shipped-synth";
import { GATEWAY_ROUTES_LABEL, secretStoreLabel } from "../../lib/namespaces";
import type { Any } from "./homelab-synth";
import { synthEdited } from "./stack-synth";

const STACKS = ["stage", "prod", "homelab"] as const;
const results = new Map<string, SynthResult>();

beforeAll(async () => {
  for (const stack of STACKS) results.set(stack, await shippedSynth(stack));
}, 300_000);

/** Every object of a stack, with its cluster. */
const objects = (stack: string): { cluster: string; o: Any }[] =>
  results.get(stack)!.objects.map((o) => ({ cluster: o.cluster, o: o.object }));
const namespaceLabels = (stack: string, cluster: string, name: string): Record<string, string> =>
  objects(stack).find((x) => x.cluster === cluster && x.o.kind === "Namespace" && x.o.metadata.name === name)
    ?.o.metadata.labels ?? {};

describe.each(STACKS)("%s", (stack) => {
  it("admits routes to the shared Gateway only from labelled namespaces, and labels each that has one", () => {
    const gateways = objects(stack).filter((x) => x.o.kind === "Gateway");
    for (const { o } of gateways)
      for (const listener of o.spec.listeners)
        expect(listener.allowedRoutes.namespaces).toEqual({
          from: "Selector",
          selector: { matchLabels: { [GATEWAY_ROUTES_LABEL]: "true" } },
        });
    const routes = objects(stack).filter((x) => x.o.kind === "HTTPRoute");
    if (gateways.length) expect(routes.length).toBeGreaterThan(0);
    for (const { cluster, o } of routes) {
      const ns = o.metadata.namespace as string;
      expect({
        route: `${ns}/${o.metadata.name}`,
        label: namespaceLabels(stack, cluster, ns)[GATEWAY_ROUTES_LABEL],
      }).toEqual({
        route: `${ns}/${o.metadata.name}`,
        label: "true",
      });
    }
  });

  it("scopes every ClusterSecretStore to labelled namespaces, and labels each namespace that reads it", () => {
    for (const { o } of objects(stack).filter((x) => x.o.kind === "ClusterSecretStore"))
      expect(o.spec.conditions).toEqual([
        { namespaceSelector: { matchLabels: { [secretStoreLabel(o.metadata.name)]: "true" } } },
      ]);
    for (const { cluster, o } of objects(stack).filter((x) => x.o.kind === "ExternalSecret")) {
      const ns = o.metadata.namespace as string;
      const store = o.spec.secretStoreRef.name as string;
      expect(namespaceLabels(stack, cluster, ns)[secretStoreLabel(store)]).toBe("true");
    }
  });

  it("denies by default in every namespace an app or the consumer access creates", () => {
    const appNamespaces = objects(stack).filter(
      (x) =>
        x.o.kind === "Deployment" ||
        x.o.kind === "StatefulSet" ||
        (x.o.kind === "Cluster" && x.o.apiVersion.startsWith("postgresql.cnpg.io/")),
    );
    const denies = new Set(
      objects(stack)
        .filter(
          (x) =>
            x.o.kind === "NetworkPolicy" &&
            Object.keys(x.o.spec.podSelector).length === 0 &&
            x.o.spec.policyTypes?.includes("Ingress") &&
            x.o.spec.policyTypes?.includes("Egress") &&
            !x.o.spec.ingress?.length &&
            !x.o.spec.egress?.length,
        )
        .map((x) => `${x.cluster}/${x.o.metadata.namespace}`),
    );
    expect(appNamespaces.length).toBeGreaterThan(0);
    for (const { cluster, o } of appNamespaces)
      expect(denies).toContain(`${cluster}/${o.metadata.namespace}`);
    for (const cluster of new Set(objects(stack).map((x) => x.cluster)))
      expect(denies).toContain(`${cluster}/platform-consumer`);
  });

  it("gives each CloudNativePG cluster's pods (created by the operator) their own ingress and egress policy", () => {
    const dbs = objects(stack).filter(
      (x) => x.o.kind === "Cluster" && x.o.apiVersion.startsWith("postgresql.cnpg.io/"),
    );
    expect(dbs.length).toBeGreaterThan(0);
    for (const { cluster, o } of dbs) {
      const policy = objects(stack).find(
        (x) =>
          x.cluster === cluster &&
          x.o.kind === "NetworkPolicy" &&
          x.o.metadata.name === `${o.metadata.name}-postgres`,
      )?.o;
      expect(policy?.spec.podSelector).toEqual({ matchLabels: { "cnpg.io/cluster": o.metadata.name } });
      expect(policy?.spec.policyTypes).toEqual(["Ingress", "Egress"]);
    }
  });

  it("never sends egress to the internet without excluding the private, shared, link-local and loopback ranges", () => {
    const blocks = objects(stack)
      .filter((x) => x.o.kind === "NetworkPolicy")
      .flatMap((x) => (x.o.spec.egress ?? []) as Any[])
      .flatMap((rule) => (rule.to ?? []) as Any[])
      .flatMap((peer) => (peer.ipBlock ? [peer.ipBlock] : []));
    for (const block of blocks.filter((b) => b.cidr === "0.0.0.0/0"))
      expect(block.except).toEqual(
        expect.arrayContaining([
          "10.0.0.0/8",
          "100.64.0.0/10",
          "127.0.0.0/8",
          "169.254.0.0/16",
          "172.16.0.0/12",
          "192.168.0.0/16",
        ]),
      );
  });
});

describe("backups", () => {
  it.each(STACKS)("%s: every CloudNativePG cluster archives WAL and takes a daily base backup", (stack) => {
    const dbs = objects(stack).filter(
      (x) => x.o.kind === "Cluster" && x.o.apiVersion.startsWith("postgresql.cnpg.io/"),
    );
    expect(dbs.length).toBeGreaterThan(0);
    for (const { cluster, o } of dbs) {
      expect(o.spec.plugins).toEqual([
        expect.objectContaining({ name: "barman-cloud.cloudnative-pg.io", isWALArchiver: true }),
      ]);
      const scheduled = objects(stack).filter(
        (x) =>
          x.cluster === cluster &&
          x.o.kind === "ScheduledBackup" &&
          x.o.spec.cluster.name === o.metadata.name,
      );
      expect({ db: `${cluster}/${o.metadata.name}`, scheduled: scheduled.length }).toEqual({
        db: `${cluster}/${o.metadata.name}`,
        scheduled: 1,
      });
    }
  });

  it("homelab: Longhorn backs every volume up to its target", () => {
    const production = objects("homelab").filter((x) => x.cluster === "production");
    const job = production.find((x) => x.o.kind === "RecurringJob")?.o;
    expect(job?.spec).toMatchObject({ task: "backup", groups: ["default"] });
    const release = production.find((x) => x.o.kind === "HelmRelease" && x.o.metadata.name === "longhorn")?.o;
    expect(release?.spec.values.defaultBackupStore).toEqual({
      backupTarget: "s3://ronaldlokers-homelab-longhorn@eu-central-003/production/",
      backupTargetCredentialSecret: "longhorn-backup-s3",
    });
  });
});

describe("pgAdmin", () => {
  it("refuses a database cluster that no app on its cluster creates", async () => {
    await expect(
      synthEdited("homelab", (doc) => {
        doc.setIn(
          ["config", "platform:clusters", "production", "appSettings", "pgadmin", "databases"],
          ["immich/nope-db"],
        );
      }),
    ).rejects.toThrow(
      'Invalid config platform:clusters.production.appSettings.pgadmin.databases = "immich/nope-db": pgadmin administers database cluster immich/nope-db, which no app on this cluster creates',
    );
  });
});
