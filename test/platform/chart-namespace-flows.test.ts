/**
 * The connections each chart needs, read from the charts at their pinned versions
 * (components/platform/namespace-policies.ts cites each), evaluated against the policies the
 * shipped stacks render: each needed connection is allowed, and the ones no chart needs are
 * not. Removing an allow rule, or a default deny, fails a row.
 */
import { allowed, type Connection, type Peer } from "../helpers/network-policy-eval";
import { shippedSynth } from "../helpers/shipped-synth";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;

const pod = (namespace: string, labels: Record<string, string> = {}): Peer => ({
  kind: "pod",
  namespace,
  labels,
});
const name = (ns: string, n: string, extra: Record<string, string> = {}) =>
  pod(ns, { "app.kubernetes.io/name": n, ...extra });
const node = (ip: string, entity: "host" | "remote-node" = "remote-node"): Peer => ({
  kind: "node",
  ip,
  entity,
});
const apiserver = (ip: string): Peer => ({ kind: "apiserver", ip });
const world = (ip = "203.0.113.7"): Peer => ({ kind: "world", ip });

type Row = [string, Peer, Peer, number, boolean, ("TCP" | "UDP")?];

// prod (Talos, Cilium): victoriametrics, istio-ingress.
const vmagent = name("victoriametrics", "vmagent");
const vmsingle = name("victoriametrics", "vmsingle");
const vmalert = name("victoriametrics", "vmalert");
const vmalertmanager = name("victoriametrics", "vmalertmanager");
const vmGrafana = name("victoriametrics", "grafana");
const adapter = name("victoriametrics", "prometheus-adapter");
const vmOperator = name("victoriametrics", "victoria-metrics-operator");
const syncJob = pod("victoriametrics", { "batch.kubernetes.io/job-name": "vmks-sync-job" });
const gateway = pod("istio-ingress", { app: "istio-ingressgateway", istio: "ingressgateway" });
const istiod = pod("istio-system", { app: "istiod" });
const cnpgOperator = name("cnpg-system", "cloudnative-pg");
const certManager = name("cert-manager", "cert-manager", { "app.kubernetes.io/component": "controller" });
const victoriaLogs = name("victorialogs", "victoria-logs-single");
const talosNode = node("10.0.1.5");
const talosApi = apiserver("10.0.1.2");

const prod: Row[] = [
  ["the internet reaches the Istio gateway on 443", world(), gateway, 443, true],
  ["the internet reaches the Istio gateway on 80", world(), gateway, 80, true],
  ["a Load Balancer connection forwarded by another node reaches the gateway", talosNode, gateway, 443, true],
  [
    "the Load Balancer's health check reaches the status port",
    node("10.0.1.6", "host"),
    gateway,
    15021,
    true,
  ],
  ["nobody reaches Envoy's admin port", world(), gateway, 15000, false],
  ["the gateway fetches xDS and certificates from istiod", gateway, istiod, 15012, true],
  // A namespace with no policy of its own, so the row tests the gateway's egress alone.
  ["the gateway reaches a routed backend in an app namespace", gateway, name("an-app", "an-app"), 8080, true],
  ["the gateway does not reach the internet", gateway, world(), 443, false],
  ["vmagent scrapes the gateway's merged metrics", vmagent, gateway, 15020, true],
  ["vmagent scrapes Envoy's stats", vmagent, gateway, 15090, true],
  ["vmagent scrapes a kubelet on another node", vmagent, talosNode, 10250, true],
  ["vmagent scrapes the node exporter on the host network", vmagent, node("10.0.1.6", "host"), 9100, true],
  ["vmagent scrapes the CloudNativePG operator", vmagent, cnpgOperator, 8080, true],
  ["vmagent scrapes cert-manager", vmagent, certManager, 9402, true],
  ["vmagent scrapes VictoriaLogs", vmagent, victoriaLogs, 9428, true],
  ["vmagent scrapes the API server", vmagent, talosApi, 6443, true],
  ["vmagent writes to VMSingle", vmagent, vmsingle, 8429, true],
  ["vmalert queries VMSingle", vmalert, vmsingle, 8429, true],
  ["vmalert sends alerts to VMAlertmanager", vmalert, vmalertmanager, 9093, true],
  ["Grafana queries VMSingle", vmGrafana, vmsingle, 8429, true],
  ["the Prometheus adapter queries VMSingle", adapter, vmsingle, 8429, true],
  ["the API server calls the operator's webhook", talosApi, vmOperator, 9443, true],
  ["the API server calls the adapter's aggregated API", talosApi, adapter, 6443, true],
  ["the sync job fetches rules and dashboards over HTTPS", syncJob, world(), 443, true],
  ["Grafana installs plugins over HTTPS", vmGrafana, world(), 443, true],
  ["VMAlertmanager notifies receivers over HTTPS", vmalertmanager, world(), 443, true],
  ["the internet does not reach VMSingle", world(), vmsingle, 8429, false],
  ["another namespace does not reach VMSingle", cnpgOperator, vmsingle, 8429, false],
  ["vmagent does not reach the internet", vmagent, world(), 443, false],
  ["VMSingle does not reach the internet", vmsingle, world(), 443, false],
  ["the sync job does not reach the nodes", syncJob, talosNode, 10250, false],
];

// homelab production (K3s, kube-router): monitoring, longhorn-system; servers 10.0.40.101-103,
// API VIP 10.0.40.99, pod range 10.42.0.0/16.
const prometheus = name("monitoring", "prometheus");
const alertmanager = name("monitoring", "alertmanager");
const grafana = name("monitoring", "grafana");
const ksm = name("monitoring", "kube-state-metrics");
const promOperator = pod("monitoring", { app: "kube-prometheus-stack-operator" });
const traefik = name("kube-system", "traefik");
const manager = pod("longhorn-system", { app: "longhorn-manager" });
const instanceManager = pod("longhorn-system", { "longhorn.io/component": "instance-manager" });
const csiPlugin = pod("longhorn-system", { app: "longhorn-csi-plugin" });
const ui = pod("longhorn-system", { app: "longhorn-ui" });
const shareManager = pod("longhorn-system", { "longhorn.io/component": "share-manager" });
const k3sServer = (ip: string) => apiserver(ip);

const homelabProduction: Row[] = [
  ["Prometheus scrapes a kubelet", prometheus, node("10.0.40.102"), 10250, true],
  ["Prometheus scrapes the node exporter", prometheus, node("10.0.40.103"), 9100, true],
  ["Prometheus does not reach a node's SSH", prometheus, node("10.0.40.102"), 22, false],
  ["Prometheus does not reach another LAN machine", prometheus, world("10.0.40.200"), 9100, false],
  ["Prometheus scrapes the CloudNativePG operator", prometheus, cnpgOperator, 8080, true],
  ["Prometheus scrapes kube-state-metrics", prometheus, ksm, 8080, true],
  ["Prometheus scrapes the Longhorn manager", prometheus, manager, 9500, true],
  ["Prometheus scrapes the API server", prometheus, k3sServer("10.0.40.101"), 6443, true],
  ["Prometheus sends alerts to Alertmanager", prometheus, alertmanager, 9093, true],
  ["Alertmanager replicas gossip", alertmanager, alertmanager, 9094, true],
  ["Grafana queries Prometheus", grafana, prometheus, 9090, true],
  ["Traefik routes to Grafana", traefik, grafana, 3000, true],
  ["Grafana reaches grafana.com over HTTPS", grafana, world(), 443, true],
  ["Alertmanager notifies receivers over HTTPS", alertmanager, world(), 443, true],
  ["kube-state-metrics does not reach the internet", ksm, world(), 443, false],
  ["Prometheus does not reach the internet", prometheus, world(), 443, false],
  ["another namespace does not reach Prometheus", cnpgOperator, prometheus, 9090, false],
  ["a server calls the operator's webhook", k3sServer("10.0.40.101"), promOperator, 10250, true],
  [
    "a server calls Longhorn's conversion webhook from its flannel address",
    k3sServer("10.42.1.0"),
    manager,
    9501,
    true,
  ],
  ["a server calls Longhorn's admission webhook", k3sServer("10.0.40.102"), manager, 9502, true],
  ["a LAN machine does not reach Longhorn's webhook", world("10.0.40.200"), manager, 9501, false],
  ["a LAN machine does not reach cert-manager's webhook", world("10.0.40.200"), certManager, 10250, false],
  ["the manager drives an instance manager", manager, instanceManager, 8500, true],
  ["an engine reaches a replica on another node", instanceManager, instanceManager, 10000, true],
  ["the CSI plugin calls the manager", csiPlugin, manager, 9500, true],
  ["the UI calls the manager", ui, manager, 9500, true],
  ["a node's iSCSI initiator reaches its engine", node("10.42.2.1", "host"), instanceManager, 3260, true],
  ["a node mounts an RWX volume from the share manager", node("10.0.40.103"), shareManager, 2049, true],
  ["the manager checks for upgrades over HTTPS", manager, world(), 443, true],
  [
    "an instance manager writes backups to the S3 target",
    instanceManager,
    world("104.153.233.177"),
    443,
    true,
  ],
  ["another namespace does not reach the manager's API", cnpgOperator, manager, 9500, false],
  ["the manager's API is not reachable from a node", node("10.0.40.102"), manager, 9500, false],
];

// homelab staging (k3d in a VM, kube-router): node addresses from Docker, so the private ranges.
const homelabStaging: Row[] = [
  ["Prometheus scrapes a k3d node's kubelet", prometheus, node("172.18.0.3"), 10250, true],
  ["the k3d server calls the operator's webhook", k3sServer("172.18.0.2"), promOperator, 10250, true],
  ["Traefik routes to Grafana", traefik, grafana, 3000, true],
  ["Prometheus does not reach the internet", prometheus, world(), 443, false],
];

// stage (Talos, Cilium): the Istio gateway without monitoring.
const stage: Row[] = [
  ["the internet reaches the Istio gateway on 443", world(), gateway, 443, true],
  ["the gateway fetches xDS from istiod", gateway, istiod, 15012, true],
  ["nothing scrapes the gateway without monitoring", cnpgOperator, gateway, 15090, false],
];

const cases: [string, string, "cilium" | "other", Row[]][] = [
  ["prod", "prod", "cilium", prod],
  ["homelab", "production", "other", homelabProduction],
  ["homelab", "staging", "other", homelabStaging],
  ["stage", "stage", "cilium", stage],
];

const objectsOf = new Map<string, Loose[]>();

// One stack at a time: the synth's mock runtime is per process, so two synths must not overlap.
beforeAll(async () => {
  for (const stack of new Set(cases.map(([s]) => s)))
    objectsOf.set(stack, (await shippedSynth(stack)).objects);
}, 600_000);

describe.each(cases)("%s/%s: chart flows against the rendered policies", (stack, cluster, cni, rows) => {
  const objects = () =>
    objectsOf
      .get(stack)!
      .filter((o) => o.cluster === cluster)
      .map((o) => o.object);
  // Rest parameters: a test function declaring more parameters than a row has would be taken
  // for one that waits on Jest's `done` callback.
  it.each(rows)("%s", (...row: Row) => {
    const [, from, to, port, expected, protocol] = row;
    const connection: Connection = { from, to, port, ...(protocol ? { protocol } : {}) };
    expect(allowed(objects(), connection, cni)).toBe(expected);
  });
});
