/**
 * Every CloudNativePG cluster on a cluster with a monitoring stack is scraped: a PodMonitor
 * (kube-prometheus-stack) or VMPodScrape (victoria-metrics) selecting its instance pods on the
 * exporter's port, and a NetworkPolicy admitting the scraper's namespace on 9187. Without them
 * CloudNativePG's Grafana dashboard (grafana-dashboards.ts) has no data.
 */
import { shippedSynth } from "../helpers/shipped-synth";
import { POSTGRES_METRICS_PORT } from "../../components/platform/postgres-network";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

const CASES: [string, string, string, string][] = [
  // stack, cluster, scrape kind, scraper namespace
  ["homelab", "production", "PodMonitor", "monitoring"],
  ["prod", "prod", "VMPodScrape", "victoriametrics"],
];

describe.each(CASES)("%s/%s: database clusters are scraped", (stack, cluster, kind, scraper) => {
  it(`has a ${kind} and an ingress rule from ${scraper} for every CloudNativePG cluster`, async () => {
    const objects: Any[] = (await shippedSynth(stack)).objects
      .filter((o) => o.cluster === cluster)
      .map((o) => o.object);
    const databases = objects.filter((o) => o.apiVersion === "postgresql.cnpg.io/v1" && o.kind === "Cluster");
    expect(databases.length).toBeGreaterThan(0);
    for (const db of databases) {
      const { name, namespace } = db.metadata;
      const scrapes = objects.filter(
        (o) =>
          o.kind === kind &&
          o.metadata.namespace === namespace &&
          o.spec.selector?.matchLabels?.["cnpg.io/cluster"] === name,
      );
      expect(scrapes.map((s) => s.spec.podMetricsEndpoints)).toEqual([[{ port: "metrics" }]]);
      const policy = objects.find(
        (o) =>
          o.kind === "NetworkPolicy" &&
          o.metadata.namespace === namespace &&
          o.metadata.name === `${name}-postgres`,
      );
      const fromScraper = (policy.spec.ingress as Any[]).filter((rule) =>
        (rule.from as Any[]).some(
          (peer) => peer.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"] === scraper,
        ),
      );
      expect(fromScraper.map((r) => r.ports)).toEqual([[{ protocol: "TCP", port: POSTGRES_METRICS_PORT }]]);
    }
  });
});

it("stage runs no monitoring stack, so its database clusters get no scrape object and no scraper rule", async () => {
  const objects: Any[] = (await shippedSynth("stage")).objects.map((o) => o.object);
  expect(objects.filter((o) => o.kind === "PodMonitor" || o.kind === "VMPodScrape")).toEqual([]);
  const policies = objects.filter((o) => o.kind === "NetworkPolicy" && /-postgres$/.test(o.metadata.name));
  expect(policies.length).toBeGreaterThan(0);
  for (const p of policies)
    for (const rule of p.spec.ingress as Any[])
      expect((rule.ports as Any[]).some((port) => port.port === POSTGRES_METRICS_PORT)).toBe(false);
});
