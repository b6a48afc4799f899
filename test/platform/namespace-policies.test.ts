import type { Addon, DeliveryItem, KubeObject } from "../../components/gitops/delivery";
import {
  chartNamespacePolicies,
  k3sClusterCidr,
  namespacePolicyItemName,
  nodeCidrs,
  nodeSourceCidrs,
  type NamespacePolicyContext,
} from "../../components/platform/namespace-policies";
import { PRIVATE_CIDRS } from "../../components/platform/cluster-helpers";
import {
  EXTERNAL_SECRETS_DEFAULTS,
  type ExternalSecretsSettings,
} from "../../components/platform/external-secrets/settings";
import { OPEN_CHART_NAMESPACES } from "../../policy/exceptions";
import { shippedSynth } from "../helpers/shipped-synth";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;

const addon = (chart: string, namespace: string): Addon => ({
  kind: "addon",
  name: chart,
  layer: "infrastructure-controllers",
  namespace,
  repository: "https://charts.example.com",
  chart,
  version: "1.0.0",
  includeCrds: true,
});

const cilium: NamespacePolicyContext = { cni: "cilium", monitoringNamespace: "victoriametrics" };
const k3s: NamespacePolicyContext = { cni: "other", monitoringNamespace: "monitoring" };

function objectsOf(
  items: readonly DeliveryItem[],
  ctx: NamespacePolicyContext,
  namespace: string,
): KubeObject[] {
  const bundle = chartNamespacePolicies(items, ctx).find(
    (b) => b.name === namespacePolicyItemName(namespace),
  );
  if (!bundle) throw new Error(`no policy bundle for ${namespace}`);
  return [...bundle.objects];
}

const named = (objects: readonly KubeObject[], name: string): Loose => {
  const found = objects.find((o) => o.metadata.name === name);
  if (!found) throw new Error(`no object ${name} among ${objects.map((o) => o.metadata.name).join(", ")}`);
  return found;
};

describe("chart namespace policies", () => {
  it("gives each chart namespace a default deny, DNS and the API server", () => {
    const objects = objectsOf([addon("metallb", "metallb-system")], k3s, "metallb-system");
    expect(named(objects, "default-deny-all").spec).toEqual({
      podSelector: {},
      policyTypes: ["Ingress", "Egress"],
    });
    expect(named(objects, "allow-dns-egress").spec.egress[0].ports).toEqual([
      { protocol: "UDP", port: 53 },
      { protocol: "TCP", port: 53 },
    ]);
    expect(named(objects, "allow-apiserver-egress").spec.egress[0].ports).toEqual([
      { protocol: "TCP", port: 6443 },
    ]);
    expect(objects.every((o) => o.metadata.namespace === "metallb-system")).toBe(true);
  });

  it("admits the API server to a webhook: the kube-apiserver entity on Cilium, node ranges elsewhere", () => {
    const items = [addon("cert-manager", "cert-manager")];
    const onCilium = named(objectsOf(items, cilium, "cert-manager"), "cert-manager-webhook-from-apiserver");
    expect(onCilium.kind).toBe("CiliumNetworkPolicy");
    expect(onCilium.spec.ingress).toEqual([
      { fromEntities: ["kube-apiserver"], toPorts: [{ ports: [{ port: "10250", protocol: "TCP" }] }] },
    ]);
    const onK3s = named(objectsOf(items, k3s, "cert-manager"), "cert-manager-webhook-from-apiserver");
    expect(onK3s.kind).toBe("NetworkPolicy");
    expect(onK3s.spec.ingress).toEqual([
      {
        from: PRIVATE_CIDRS.map((cidr) => ({ ipBlock: { cidr } })),
        ports: [{ protocol: "TCP", port: 10250 }],
      },
    ]);
  });

  it("admits the monitoring namespace to the metrics ports, and nothing without monitoring", () => {
    const items = [addon("cloudnative-pg", "cnpg-system")];
    expect(named(objectsOf(items, cilium, "cnpg-system"), "cnpg-metrics-scrape").spec.ingress).toEqual([
      {
        from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "victoriametrics" } } }],
        ports: [{ protocol: "TCP", port: 8080 }],
      },
    ]);
    const bare = objectsOf(items, { cni: "other" }, "cnpg-system");
    expect(bare.map((o) => o.metadata.name)).not.toContain("cnpg-metrics-scrape");
  });

  it("lets the External Secrets controller reach exactly the stores configured", () => {
    const eso = (settings: Partial<ExternalSecretsSettings>) =>
      objectsOf(
        [addon("external-secrets", "external-secrets")],
        { ...k3s, externalSecrets: { version: EXTERNAL_SECRETS_DEFAULTS.version, ...settings } },
        "external-secrets",
      );
    expect(eso({}).map((o) => o.metadata.name)).not.toContain("external-secrets-store-egress");
    const vault = { path: "secret", version: "v2" as const, auth: "token" as const, mountPath: "kubernetes" };
    const inCluster = eso({ vault: { ...vault, server: "http://vault.vault.svc:8200" } });
    expect(named(inCluster, "external-secrets-store-egress").spec.egress).toEqual([
      {
        to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "vault" } } }],
        ports: [{ protocol: "TCP", port: 8200 }],
      },
    ]);
    const outside = eso({ vault: { ...vault, server: "https://vault.example.com" } });
    expect(named(outside, "external-secrets-store-egress").spec.egress).toEqual([
      { to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ protocol: "TCP", port: 443 }] },
    ]);
  });

  it("gives every chart of a shared namespace its own rules, under distinct names", () => {
    const objects = objectsOf(
      [addon("base", "istio-system"), addon("cni", "istio-system"), addon("istiod", "istio-system")],
      cilium,
      "istio-system",
    );
    const names = objects.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(new Set(names).size).toBe(names.length);
    expect(named(objects, "istiod-metrics-scrape").spec.ingress[0].ports).toEqual([
      { protocol: "TCP", port: 15014 },
    ]);
    expect(named(objects, "istio-cni-metrics-scrape").spec.ingress[0].ports).toEqual([
      { protocol: "TCP", port: 15014 },
    ]);
    // istiod takes xDS from every namespace and keeps the egress its chart's own policy allows.
    expect(named(objects, "istiod").spec).toMatchObject({
      podSelector: { matchLabels: { app: "istiod" } },
      ingress: [
        {
          from: [{ namespaceSelector: {} }],
          ports: [
            { protocol: "TCP", port: 15010 },
            { protocol: "TCP", port: 15012 },
          ],
        },
      ],
      egress: [{}],
    });
  });

  it("admits the External Secrets namespace to 1Password Connect only with its 1Password store", () => {
    const connect = (settings?: Partial<ExternalSecretsSettings>) =>
      named(
        objectsOf(
          [addon("connect", "onepassword-system")],
          {
            ...k3s,
            ...(settings
              ? { externalSecrets: { version: EXTERNAL_SECRETS_DEFAULTS.version, ...settings } }
              : {}),
          },
          "onepassword-system",
        ),
        "onepassword-connect",
      ).spec.ingress[0].from;
    const operator = { podSelector: { matchLabels: { "app.kubernetes.io/component": "operator" } } };
    expect(connect()).toEqual([operator]);
    expect(
      connect({
        onepassword: { connectHost: "http://onepassword-connect.onepassword-system.svc:8080", vaults: ["x"] },
      }),
    ).toEqual([
      operator,
      { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "external-secrets" } } },
    ]);
  });

  it("lets the operator alone reach 1Password over HTTPS in service-account mode, with no Connect policy", () => {
    const objects = objectsOf(
      [addon("connect", "onepassword-system")],
      { ...k3s, onePasswordAuth: "service-account" },
      "onepassword-system",
    );
    expect(objects.some((o) => o.metadata.name === "onepassword-connect")).toBe(false);
    const egress = named(objects, "onepassword-operator-egress").spec;
    expect(egress.podSelector).toEqual({ matchLabels: { "app.kubernetes.io/component": "operator" } });
    expect(egress.egress).toEqual([
      {
        to: [expect.objectContaining({ ipBlock: expect.anything() })],
        ports: [{ protocol: "TCP", port: 443 }],
      },
    ]);
  });

  it("lets the log collector reach the VictoriaLogs server, and the monitoring namespace both", () => {
    const objects = objectsOf([addon("victoria-logs-single", "victorialogs")], cilium, "victorialogs");
    expect(named(objects, "victoria-logs-ingest").spec).toMatchObject({
      podSelector: {},
      ingress: [{ from: [{ podSelector: {} }], ports: [{ protocol: "TCP", port: 9428 }] }],
      egress: [{ to: [{ podSelector: {} }], ports: [{ protocol: "TCP", port: 9428 }] }],
    });
    expect(named(objects, "victoria-logs-metrics-scrape").spec.ingress[0].ports).toEqual([
      { protocol: "TCP", port: 9428 },
      { protocol: "TCP", port: 9090 },
    ]);
  });

  it("leaves declared-open namespaces alone and refuses a chart without rules", () => {
    expect(chartNamespacePolicies([addon("cilium", "kube-system")], cilium)).toEqual([]);
    expect(() => chartNamespacePolicies([addon("mystery", "mystery-system")], cilium)).toThrow(
      "chart mystery (item mystery) installs into namespace mystery-system, which has no network rules for it: add them to components/platform/namespace-policies.ts CHART_RULES, or list the namespace in policy/exceptions.ts OPEN_CHART_NAMESPACES with the reason it stays open",
    );
  });

  it("narrows API-server egress off Cilium to the K3s servers' addresses, where they are known", async () => {
    const result = await shippedSynth("homelab");
    const egressTo = (cluster: string, namespace: string, name: string): string[] => {
      const found = (result.objects as { cluster: string; object: Loose }[]).find(
        (o) =>
          o.cluster === cluster &&
          o.object.metadata.name === name &&
          o.object.metadata.namespace === namespace,
      );
      if (!found) throw new Error(`no ${cluster}/${namespace}/${name}`);
      expect(found.object.spec.egress[0].ports).toEqual([{ protocol: "TCP", port: 6443 }]);
      return found.object.spec.egress[0].to.map((t: Loose) => t.ipBlock.cidr);
    };
    // production is K3s on three servers (Pulumi.homelab.yaml hosts cm5-1..3, all role server):
    // the database pods and the chart namespaces reach exactly those.
    const servers = ["10.0.40.101/32", "10.0.40.102/32", "10.0.40.103/32"];
    expect(egressTo("production", "commafeed", "commafeed-db-postgres-apiserver")).toEqual(servers);
    expect(egressTo("production", "cnpg-system", "allow-apiserver-egress")).toEqual(servers);
    // staging is k3d, whose node addresses Docker assigns: the private ranges.
    expect(egressTo("staging", "cnpg-system", "allow-apiserver-egress")).toEqual([...PRIVATE_CIDRS]);
  });

  it("narrows webhook ingress off Cilium on K3s to the servers, the API VIP and the pod range", async () => {
    const result = await shippedSynth("homelab");
    const ingressFrom = (cluster: string, namespace: string, name: string): string[] => {
      const found = (result.objects as { cluster: string; object: Loose }[]).find(
        (o) =>
          o.cluster === cluster &&
          o.object.metadata.name === name &&
          o.object.metadata.namespace === namespace,
      );
      if (!found) throw new Error(`no ${cluster}/${namespace}/${name}`);
      return found.object.spec.ingress[0].from.map((f: Loose) => f.ipBlock.cidr);
    };
    // production: servers cm5-1..3, the kube-vip address 10.0.40.99 (Pulumi.homelab.yaml
    // apiVip) and K3s's default pod range, where each node's flannel and cni0 addresses are.
    const sources = ["10.0.40.101/32", "10.0.40.102/32", "10.0.40.103/32", "10.0.40.99/32", "10.42.0.0/16"];
    expect(ingressFrom("production", "cert-manager", "cert-manager-webhook-from-apiserver")).toEqual(sources);
    expect(ingressFrom("production", "longhorn-system", "longhorn-webhooks-from-apiserver")).toEqual(sources);
    expect(ingressFrom("production", "longhorn-system", "longhorn-from-nodes")).toEqual(sources);
    expect(ingressFrom("staging", "cert-manager", "cert-manager-webhook-from-apiserver")).toEqual([
      ...PRIVATE_CIDRS,
    ]);
  });

  it("takes K3s's pod range from --cluster-cidr in extraServerArgs, else K3s's default", () => {
    const k3sCluster = (extraServerArgs: string[]) =>
      ({
        kind: "k3s",
        apiVip: "10.0.0.9",
        extraServerArgs,
        hosts: [
          { name: "a", address: "10.0.0.1", role: "server" },
          { name: "b", address: "10.0.0.2", role: "agent" },
        ],
      }) as Loose;
    expect(k3sClusterCidr(k3sCluster([]))).toBe("10.42.0.0/16");
    expect(k3sClusterCidr(k3sCluster(["--cluster-cidr=10.100.0.0/16"]))).toBe("10.100.0.0/16");
    expect(nodeSourceCidrs(k3sCluster([]), "server")).toEqual(["10.0.0.1/32", "10.0.0.9/32", "10.42.0.0/16"]);
    expect(nodeSourceCidrs(k3sCluster([]))).toEqual([
      "10.0.0.1/32",
      "10.0.0.2/32",
      "10.0.0.9/32",
      "10.42.0.0/16",
    ]);
    expect(nodeCidrs(k3sCluster([]))).toEqual(["10.0.0.1/32", "10.0.0.2/32"]);
    expect(nodeCidrs({ kind: "k3d-proxmox" } as Loose)).toEqual(PRIVATE_CIDRS);
  });

  it.each(["stage", "prod", "homelab"])(
    "%s: every chart namespace on every cluster has its policy bundle or is declared open",
    async (stack) => {
      const result = await shippedSynth(stack);
      const byCluster = new Map<string, { charts: Map<string, string>; denied: Set<string> }>();
      const entry = (cluster: string) => {
        if (!byCluster.has(cluster)) byCluster.set(cluster, { charts: new Map(), denied: new Set() });
        return byCluster.get(cluster)!;
      };
      for (const { cluster, object } of result.objects as { cluster: string; object: Loose }[]) {
        if (object.kind === "HelmRelease")
          entry(cluster).charts.set(
            object.spec.targetNamespace ?? object.metadata.namespace,
            object.spec.chart?.spec?.chart ?? object.spec.chartRef?.name,
          );
        if (object.kind === "Application" && object.spec.source?.chart)
          entry(cluster).charts.set(object.spec.destination.namespace, object.spec.source.chart);
        if (object.kind === "NetworkPolicy" && object.metadata.name === "default-deny-all")
          entry(cluster).denied.add(object.metadata.namespace);
      }
      for (const [cluster, { charts, denied }] of byCluster) {
        for (const [namespace, chart] of charts) {
          if (!OPEN_CHART_NAMESPACES[namespace])
            expect({ cluster, namespace, chart, denied: denied.has(namespace) }).toMatchObject({
              denied: true,
            });
        }
      }
      // Each shipped stack has charts in namespaces that are policed, not only open ones.
      expect([...byCluster.values()].some((c) => [...c.charts.keys()].some((ns) => c.denied.has(ns)))).toBe(
        true,
      );
    },
  );
});
