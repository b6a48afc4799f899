/**
 * NetworkPolicies for the namespaces third-party charts run in. Each chart namespace gets a
 * namespace-wide default deny (ingress and egress), DNS to kube-dns, and the allow rules its
 * charts need, read from each chart's templates at the pinned version:
 * - ingress from the API server on the chart's webhook port;
 * - ingress from the monitoring namespace on its metrics ports (when the cluster has monitoring);
 * - ingress from the chart's own clients;
 * - egress to the API server and to the endpoints the chart documents (ACME and Cloudflare for
 *   cert-manager, the secret stores for External Secrets).
 *
 * Rules are written by port where one port means one component, so they hold whatever labels
 * a chart version puts on its pods; they select pods by label only where the label was read
 * in the chart or the operator that creates the pods. A namespace whose charts' needs were
 * not verified gets no default deny at all (a half-known deny breaks a controller), and is
 * listed with its reason in policy/exceptions.ts `OPEN_CHART_NAMESPACES`; the policy pack
 * reports any other chart namespace without a default deny.
 *
 * Pods on the host network (node exporters, MetalLB's speaker) are outside these rules: the
 * NetworkPolicy behaviour for them is undefined
 * (https://kubernetes.io/docs/concepts/services-networking/network-policies/, "NetworkPolicy
 * and hostNetwork pods"), Cilium gives them the node's identity (`host`/`remote-node`) and
 * their address is the node's; so scrapers get egress to the nodes ({@link nodeEgress})
 * rather than to those pods.
 *
 * The API server reaches webhooks from the host network. On Cilium (Talos) it carries the
 * reserved `kube-apiserver` identity, which only a CiliumNetworkPolicy can name
 * (https://docs.cilium.io/en/stable/security/policy/language/#entities-based); elsewhere
 * (K3s, k3d: kube-router) the rule admits the addresses a server's traffic comes from
 * ({@link nodeSourceCidrs}). API-server egress goes to the servers' addresses where the
 * program knows them ({@link apiServerCidrs}).
 */
import type { Addon, Bundle, DeliveryItem, JsonValue, KubeObject } from "../gitops/delivery";
import type { ExternalSecretsSettings } from "./external-secrets/settings";
import type { ClusterConfig } from "../../config/types";
import { OPEN_CHART_NAMESPACES } from "../../policy/exceptions";
import { ISTIO_DEFAULTS } from "./istio/settings";
import {
  apiServerEgress,
  baselineNetworkPolicies,
  INTERNET_IP_BLOCK,
  PRIVATE_CIDRS,
} from "./cluster-helpers";

type Json = { [key: string]: JsonValue };

/** What the rules of one cluster depend on. */
export interface NamespacePolicyContext {
  /** The cluster's CNI: Cilium names the API server, others get address rules. */
  readonly cni: "cilium" | "other";
  /** The namespace whose scrapers read metrics. @default none: the cluster has no monitoring */
  readonly monitoringNamespace?: string;
  /** The External Secrets settings, for the stores the controller reaches. @default none */
  readonly externalSecrets?: ExternalSecretsSettings;
  /** Without Cilium, the API server's addresses ({@link apiServerCidrs}). @default the private ranges */
  readonly apiServerCidrs?: readonly string[];
  /** How the 1Password operator reaches 1Password (onepassword-operator `auth`). @default connect */
  readonly onePasswordAuth?: "connect" | "service-account";
  /**
   * Without Cilium, where the API server's calls to webhooks and aggregated APIs come from
   * ({@link nodeSourceCidrs} of the servers). @default the private ranges
   */
  readonly apiServerSourceCidrs?: readonly string[];
  /**
   * Without Cilium, where a node's own traffic to a pod comes from (iSCSI and NFS clients of
   * Longhorn) ({@link nodeSourceCidrs} of every host). @default the private ranges
   */
  readonly nodeSourceCidrs?: readonly string[];
  /**
   * Without Cilium, the nodes' addresses, where scrapers reach the kubelets and host-network
   * exporters ({@link nodeCidrs}). @default the private ranges
   */
  readonly nodeCidrs?: readonly string[];
  /**
   * The namespace of the ingress controller that routes to chart UIs (Grafana's Ingress on
   * Traefik clusters). @default none: no chart UI is routed
   */
  readonly ingressNamespace?: string;
  /** Longhorn's backup target endpoint (`serviceSettings.longhorn.backup.endpoint`). @default none */
  readonly longhornBackupEndpoint?: string;
}

/**
 * Where pods reach the API server off Cilium, as egress CIDRs. Pods call the `kubernetes`
 * Service, whose endpoints are the servers' advertised addresses on 6443; K3s advertises
 * `--advertise-address`, "default: node-external-ip/node-ip" (k3s pkg/cli/cmds/server.go),
 * and the program starts every K3s server with `--node-ip=<host address>` and no external
 * IP (components/cluster/k3s/scripts.ts `k3sArgs`), so the endpoints are the server hosts'
 * addresses (hosts marked `gone` included: they serve until they are removed). k3d nodes get
 * their addresses from Docker and an existing cluster's are not known: the private ranges.
 * The policy sees the endpoint, not the Service address: kube-router filters after
 * kube-proxy's DNAT, which is why every such rule names port 6443, not 443.
 */
export function apiServerCidrs(cluster: ClusterConfig): readonly string[] {
  if (cluster.kind !== "k3s") return PRIVATE_CIDRS;
  return cluster.hosts.filter((h) => h.role === "server").map((h) => `${h.address}/32`);
}

/**
 * K3s's pod range: `--cluster-cidr`, "default: 10.42.0.0/16" (docs.k3s.io "CLI Tools: server",
 * networking flags), unless the cluster's `extraServerArgs` set it.
 */
export function k3sClusterCidr(cluster: Extract<ClusterConfig, { kind: "k3s" }>): string {
  const flag = cluster.extraServerArgs.find((a) => a.startsWith("--cluster-cidr="));
  return flag ? flag.slice("--cluster-cidr=".length).split(",")[0] : "10.42.0.0/16";
}

/**
 * Where traffic from the host network of the given hosts reaches a pod from, as ingress
 * CIDRs (`role` "server": the API server calling a webhook; all hosts: a node's iSCSI or NFS
 * client). A K3s node sends to a pod from whichever of its addresses the route picks: its
 * `--node-ip` (host-gw backend, routes via the peer's address), or its flannel tunnel or
 * `cni0` bridge address, which are in the cluster's pod range (flannel gives each node one
 * subnet of `--cluster-cidr`, docs.k3s.io "Basic Network Options"); the API VIP is a second
 * address on a server's interface (kube-vip). So: the hosts' addresses, the VIP for servers,
 * and the pod range. That is narrower than the private ranges (a LAN machine is no longer
 * admitted), though every pod's address is in the pod range too. k3d nodes get their
 * addresses from Docker and an existing cluster's are unknown: the private ranges.
 */
export function nodeSourceCidrs(cluster: ClusterConfig, role?: "server"): readonly string[] {
  if (cluster.kind !== "k3s") return PRIVATE_CIDRS;
  const hosts = cluster.hosts.filter((h) => !role || h.role === role).map((h) => `${h.address}/32`);
  return [...new Set([...hosts, `${cluster.apiVip}/32`, k3sClusterCidr(cluster)])];
}

/**
 * The nodes' addresses as egress CIDRs: a kubelet (10250) and a host-network exporter listen
 * on the node's InternalIP, which K3s sets from `--node-ip` (every host's address, scripts.ts
 * `k3sArgs`). k3d and existing clusters: the private ranges.
 */
export function nodeCidrs(cluster: ClusterConfig): readonly string[] {
  if (cluster.kind !== "k3s") return PRIVATE_CIDRS;
  return cluster.hosts.map((h) => `${h.address}/32`);
}

/** One chart's rules: the policies for its pods in `namespace`. */
type ChartRules = (namespace: string, ctx: NamespacePolicyContext) => KubeObject[];

const tcp = (port: number): Json => ({ protocol: "TCP", port });
const ALL_PODS: Json = {};
const labels = (matchLabels: Record<string, string>): Json => ({ matchLabels });
const inNamespace = (ns: string): Json => ({
  namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ns } },
});
const internet: Json = { ipBlock: { ...INTERNET_IP_BLOCK, except: [...INTERNET_IP_BLOCK.except] } };

function policy(
  name: string,
  namespace: string,
  podSelector: Json,
  rules: { ingress?: Json[]; egress?: Json[] },
) {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name, namespace },
    spec: {
      podSelector,
      policyTypes: [...(rules.ingress ? ["Ingress"] : []), ...(rules.egress ? ["Egress"] : [])],
      ...rules,
    },
  } satisfies KubeObject;
}

/**
 * Ingress from the API server (admission and conversion webhooks, aggregated APIs) on
 * `ports`: the `kube-apiserver` entity on Cilium, the servers' source addresses elsewhere
 * (`ctx.apiServerSourceCidrs`).
 */
export function apiServerIngress(
  name: string,
  namespace: string,
  podSelector: Json,
  ports: readonly number[],
  ctx: Pick<NamespacePolicyContext, "cni" | "apiServerSourceCidrs">,
): KubeObject {
  return ctx.cni === "cilium"
    ? {
        apiVersion: "cilium.io/v2",
        kind: "CiliumNetworkPolicy",
        metadata: { name, namespace },
        spec: {
          endpointSelector: podSelector,
          ingress: [
            {
              fromEntities: ["kube-apiserver"],
              toPorts: [{ ports: ports.map((port) => ({ port: String(port), protocol: "TCP" })) }],
            },
          ],
        },
      }
    : policy(name, namespace, podSelector, {
        ingress: [
          {
            from: (ctx.apiServerSourceCidrs ?? PRIVATE_CIDRS).map((cidr) => ({ ipBlock: { cidr } })),
            ports: ports.map(tcp),
          },
        ],
      });
}

/**
 * Egress from a scraper to the nodes themselves: the kubelets (10250, cAdvisor on the same
 * port) and exporters on the host network. On Cilium the nodes are the `host` (the pod's own
 * node) and `remote-node` entities (https://docs.cilium.io/en/stable/security/policy/language/#entities-based),
 * on every port: the scrape jobs aimed at the host network are whatever the stack's and other
 * charts' ServiceMonitors name (kubelet, node exporter, control-plane components, Cilium's
 * agent), and the entities are only the cluster's nodes. Elsewhere the node addresses
 * (`ctx.nodeCidrs`, the private ranges on k3d) on the kubelet's and the node exporter's
 * ports only (prometheus-node-exporter chart `service.port` 9100, `hostNetwork: true`): K3s
 * runs the control plane inside the server process and the stack's jobs for it are off
 * (kube-prometheus-stack/index.ts).
 */
function nodeEgress(name: string, namespace: string, podSelector: Json, ctx: NamespacePolicyContext) {
  return ctx.cni === "cilium"
    ? {
        apiVersion: "cilium.io/v2",
        kind: "CiliumNetworkPolicy",
        metadata: { name, namespace },
        spec: { endpointSelector: podSelector, egress: [{ toEntities: ["host", "remote-node"] }] },
      }
    : policy(name, namespace, podSelector, {
        egress: [
          {
            to: (ctx.nodeCidrs ?? PRIVATE_CIDRS).map((cidr) => ({ ipBlock: { cidr } })),
            ports: [tcp(10250), tcp(9100)],
          },
        ],
      });
}

/**
 * A scraper's egress: every pod of every namespace on any port (the ports are whatever each
 * ServiceMonitor and PodMonitor names; every policed namespace admits only the monitoring
 * namespace, on its own metrics ports), and the nodes ({@link nodeEgress}).
 */
function scraperEgress(name: string, namespace: string, podSelector: Json, ctx: NamespacePolicyContext) {
  return [
    policy(`${name}-scrape-pods`, namespace, podSelector, { egress: [{ to: [{ namespaceSelector: {} }] }] }),
    nodeEgress(`${name}-scrape-nodes`, namespace, podSelector, ctx),
  ];
}

/**
 * Traffic between the pods of one namespace, on any port, both ways: for the stacks whose
 * components call one another on many ports (listed where it is used), all of them in the one
 * namespace; the default deny still holds for every other namespace, the nodes and the
 * internet.
 */
function withinNamespace(name: string, namespace: string) {
  return policy(name, namespace, ALL_PODS, {
    ingress: [{ from: [{ podSelector: {} }] }],
    egress: [{ to: [{ podSelector: {} }] }],
  });
}

/** Ingress from the monitoring namespace on the metrics ports; nothing without monitoring. */
function metricsIngress(
  name: string,
  namespace: string,
  ctx: NamespacePolicyContext,
  ports: number[],
): KubeObject[] {
  if (!ctx.monitoringNamespace) return [];
  return [
    policy(`${name}-metrics-scrape`, namespace, ALL_PODS, {
      ingress: [{ from: [inNamespace(ctx.monitoringNamespace)], ports: ports.map(tcp) }],
    }),
  ];
}

/**
 * Egress to the service behind `url` on its port: a `<service>.<namespace>.svc` host is in
 * the cluster (the pods of that namespace); any other host may be on the internet or the
 * LAN (a self-hosted Vault), so every address on that one port.
 */
function egressToUrl(url: string): Json {
  const u = new URL(url);
  const port = Number(u.port || (u.protocol === "https:" ? 443 : 80));
  const inCluster = /^[a-z0-9-]+\.([a-z0-9-]+)\.svc(\.cluster\.local)?$/.exec(u.hostname);
  return {
    to: [inCluster ? inNamespace(inCluster[1]) : { ipBlock: { cidr: "0.0.0.0/0" } }],
    ports: [tcp(port)],
  };
}

/**
 * Egress to Longhorn's S3 backup target on its URL's port: the endpoint may be on the internet
 * (Backblaze B2, as the homelab's) or on the LAN (a NAS's S3 service), so the internet and the
 * private ranges, never the link-local metadata or loopback ranges.
 */
function longhornBackupTarget(namespace: string, endpoint: string): KubeObject {
  const u = new URL(endpoint);
  const port = Number(u.port || (u.protocol === "https:" ? 443 : 80));
  return policy("longhorn-backup-target", namespace, ALL_PODS, {
    egress: [{ to: [internet, ...PRIVATE_CIDRS.map((cidr) => ({ ipBlock: { cidr } }))], ports: [tcp(port)] }],
  });
}

/**
 * The rules per chart (by chart name), each read from the chart at the version
 * config/ pins. Every pod in these namespaces also gets DNS and the API server (all of them
 * are controllers or webhooks that watch or read the API, except the Bitwarden SDK server).
 */
export const CHART_RULES: Readonly<Record<string, ChartRules>> = {
  // cert-manager v1.19.1 (deploy/charts/cert-manager/templates): the controller
  // (`app.kubernetes.io/name: cert-manager`, `app.kubernetes.io/component: controller`,
  // deployment.yaml) serves metrics on 9402; the webhook listens on `webhook.securePort` 10250
  // (values.yaml; webhook-deployment.yaml, `hostNetwork: false`) and serves metrics on 9402,
  // as does the cainjector. The controller talks to the Let's Encrypt ACME directory and the
  // Cloudflare API over HTTPS, and for the DNS-01 self check queries the zone's authoritative
  // nameservers directly on port 53 ("By default cert-manager will use the recursive
  // nameservers taken from /etc/resolv.conf to query for the authoritative nameservers, which
  // it will then query directly", cert-manager docs "Setting Nameservers for DNS01 Self
  // Check"; the chart's `dns01RecursiveNameserversOnly` is false).
  "cert-manager": (ns, ctx) => [
    apiServerIngress("cert-manager-webhook-from-apiserver", ns, ALL_PODS, [10250], ctx),
    ...metricsIngress("cert-manager", ns, ctx, [9402]),
    policy(
      "cert-manager-controller-egress",
      ns,
      labels({ "app.kubernetes.io/name": "cert-manager", "app.kubernetes.io/component": "controller" }),
      {
        egress: [
          { to: [internet], ports: [tcp(443)] },
          { to: [internet], ports: [tcp(53), { protocol: "UDP", port: 53 }] },
        ],
      },
    ),
  ],
  // cloudnative-pg chart 0.26.1 (templates/deployment.yaml): the operator's webhook server on
  // `webhook.port` 9443 and metrics on 8080, pods labelled `app.kubernetes.io/name:
  // cloudnative-pg`. The operator reaches every database pod (label `cnpg.io/cluster`, in any
  // namespace) on 8000 (instance manager) and 5432 (cloudnative-pg docs "Networking") and the
  // Barman Cloud plugin's gRPC server.
  "cloudnative-pg": (ns, ctx) => [
    apiServerIngress("cnpg-webhook-from-apiserver", ns, ALL_PODS, [9443], ctx),
    ...metricsIngress("cnpg", ns, ctx, [8080]),
    policy("cnpg-operator-egress", ns, labels({ "app.kubernetes.io/name": "cloudnative-pg" }), {
      egress: [
        {
          to: [
            {
              namespaceSelector: {},
              podSelector: { matchExpressions: [{ key: "cnpg.io/cluster", operator: "Exists" }] },
            },
          ],
          ports: [tcp(8000), tcp(5432)],
        },
        { to: [{ podSelector: {} }], ports: [tcp(9090)] },
      ],
    }),
  ],
  // plugin-barman-cloud chart 0.2.0 (templates/deployment.yaml, service.yaml): one gRPC server
  // on 9090 (`--server-address=:9090`), which the CloudNativePG operator calls
  // (`cnpg.io/pluginPort` on its Service). Only this pod listens on 9090 in the namespace.
  "plugin-barman-cloud": (ns) => [
    policy("barman-cloud-from-operator", ns, ALL_PODS, {
      ingress: [
        {
          from: [{ podSelector: labels({ "app.kubernetes.io/name": "cloudnative-pg" }) }],
          ports: [tcp(9090)],
        },
      ],
    }),
  ],
  // external-secrets chart (deploy/charts/external-secrets/values.yaml): the webhook listens on
  // `webhook.port` 10250, the controller, webhook and cert controller serve metrics on
  // `metrics.listen.port` 8080. The controller reaches the stores this program configures:
  // the Bitwarden SDK server in this namespace on 9998 (secretOperators.ts `SDK_URL`), Vault
  // and 1Password Connect at the URLs of serviceSettings.external-secrets.
  "external-secrets": (ns, ctx) => {
    const s = ctx.externalSecrets;
    const stores: Json[] = [
      ...(s?.bitwarden ? [{ to: [{ podSelector: {} }], ports: [tcp(9998)] }] : []),
      ...(s?.vault ? [egressToUrl(s.vault.server)] : []),
      ...(s?.onepassword ? [egressToUrl(s.onepassword.connectHost)] : []),
    ];
    return [
      apiServerIngress("external-secrets-webhook-from-apiserver", ns, ALL_PODS, [10250], ctx),
      ...metricsIngress("external-secrets", ns, ctx, [8080]),
      ...(stores.length ? [policy("external-secrets-store-egress", ns, ALL_PODS, { egress: stores })] : []),
    ];
  },
  // bitwarden-sdk-server chart v0.5.2 (deploy/charts/bitwarden-sdk-server/templates/deployment.yaml):
  // serves TLS on `service.port` 9998 for the External Secrets controller and calls the
  // Bitwarden API and identity service over HTTPS (ESO docs provider/bitwarden-secrets-manager.md:
  // `apiURL`, `identityURL`). Its pod labels come from a helper not read here, so the HTTPS
  // egress is the namespace's: the External Secrets pods get it too.
  "bitwarden-sdk-server": (ns) => [
    policy("bitwarden-sdk-server", ns, ALL_PODS, {
      ingress: [{ from: [{ podSelector: {} }], ports: [tcp(9998)] }],
      egress: [{ to: [internet], ports: [tcp(443)] }],
    }),
  ],
  // 1Password connect chart 2.0.5 (charts/connect/templates/connect-deployment.yaml,
  // operator-deployment.yaml; values.yaml `connect.api.httpPort` 8080): the Connect pod
  // (`app.kubernetes.io/component: connect`, API and sync containers, which talk over the
  // pod's loopback) serves the API on 8080 and syncs with 1Password over HTTPS; the operator
  // (`app.kubernetes.io/component: operator`, `authMethod: connect`) calls that API
  // (`OP_CONNECT_HOST`). The External Secrets controller calls it too when its 1Password store
  // is configured. With `auth: service-account` there is no Connect pod (`connect.create:
  // false`) and the operator calls 1Password itself over HTTPS (OP_SERVICE_ACCOUNT_TOKEN).
  connect: (ns, ctx) => {
    const component = (c: string): Json => labels({ "app.kubernetes.io/component": c });
    if (ctx.onePasswordAuth === "service-account")
      return [
        policy("onepassword-operator-egress", ns, component("operator"), {
          egress: [{ to: [internet], ports: [tcp(443)] }],
        }),
      ];
    const clients: Json[] = [
      { podSelector: component("operator") },
      ...(ctx.externalSecrets?.onepassword ? [inNamespace("external-secrets")] : []),
    ];
    return [
      policy("onepassword-connect", ns, component("connect"), {
        ingress: [{ from: clients, ports: [tcp(8080)] }],
        egress: [{ to: [internet], ports: [tcp(443)] }],
      }),
      policy("onepassword-operator-egress", ns, component("operator"), {
        egress: [{ to: [{ podSelector: component("connect") }], ports: [tcp(8080)] }],
      }),
    ];
  },
  // Istio 1.27 (manifests/charts): `base` installs only CRDs and webhook configurations, no
  // pods. istiod (istio-discovery templates/service.yaml: 15010 plaintext xDS, 15012 xDS and
  // CA, 443 -> 15017 injection and validation webhooks, 15014 monitoring) takes xDS from the
  // sidecars and gateways of every namespace, as the chart's own NetworkPolicy does
  // (templates/networkpolicy.yaml, `createNetworkPolicy`); that policy also allows istiod all
  // egress "because features like JWKS require connections to user-defined endpoints", and so
  // does this one. The istio-cni node agent (istio-cni templates/daemonset.yaml: no host
  // network without ambient) serves metrics on 15014 and otherwise only reads the API.
  base: () => [],
  istiod: (ns, ctx) => {
    const istiod = labels({ app: "istiod" });
    return [
      apiServerIngress("istiod-webhook-from-apiserver", ns, istiod, [15017], ctx),
      policy("istiod", ns, istiod, {
        ingress: [{ from: [{ namespaceSelector: {} }], ports: [tcp(15010), tcp(15012)] }],
        egress: [{}],
      }),
      ...metricsIngress("istiod", ns, ctx, [15014]),
    ];
  },
  cni: (ns, ctx) => [...metricsIngress("istio-cni", ns, ctx, [15014])],
  // Istio gateway chart 1.27 (manifests/charts/gateway): one Envoy Deployment whose Service
  // (values.yaml `service.ports`) maps 15021 (status), 80 and 443 to the same target ports,
  // which the pod binds itself (`net.ipv4.ip_unprivileged_port_start`); Envoy's merged
  // Prometheus endpoint is 15020 (`prometheus.io/port` pod annotation) and its own stats 15090.
  // The chart's own NetworkPolicy (templates/networkpolicy.yaml, `global.networkPolicy`)
  // admits every source on 15021, 15020, 15090 and the service's target ports. Here the
  // listener and status ports stay open to every source: the gateway is the internet's way in
  // through the Hetzner Load Balancer, which reaches it through a node (NodePort), so the source
  // Cilium sees is the client (`world`) or, forwarded to another node after the service
  // endpoint selection, `remote-node`, which "will match fromEntities: cluster policies"
  // (https://docs.cilium.io/en/latest/security/policy/caveats/, "Security Identity for N/S
  // Service Traffic"): on Cilium the entities `world` and `cluster`, elsewhere a rule without
  // `from`, which "matches all sources" (NetworkPolicyIngressRule).
  // Metrics are for the monitoring namespace only. The chart allows all egress "because
  // gateways need to reach external services, istiod, and other cluster services"; this one
  // allows istiod's xDS and CA port 15012 (Istio "Ports used by Istio") and the backends of its
  // routes, pods in any namespace on any port (each VirtualService names its own), not the
  // internet: no ServiceEntry routes out through it.
  gateway: (ns, ctx) => [
    ctx.cni === "cilium"
      ? {
          apiVersion: "cilium.io/v2",
          kind: "CiliumNetworkPolicy",
          metadata: { name: "istio-gateway-listeners", namespace: ns },
          spec: {
            endpointSelector: ALL_PODS,
            ingress: [
              {
                fromEntities: ["world", "cluster"],
                toPorts: [
                  { ports: [80, 443, 15021].map((port) => ({ port: String(port), protocol: "TCP" })) },
                ],
              },
            ],
          },
        }
      : policy("istio-gateway-listeners", ns, ALL_PODS, {
          ingress: [{ ports: [tcp(80), tcp(443), tcp(15021)] }],
        }),
    ...metricsIngress("istio-gateway", ns, ctx, [15020, 15090]),
    policy("istio-gateway-egress", ns, ALL_PODS, {
      egress: [
        {
          to: [{ ...inNamespace(ISTIO_DEFAULTS.namespace), podSelector: labels({ app: "istiod" }) }],
          ports: [tcp(15012)],
        },
        { to: [{ namespaceSelector: {} }] },
      ],
    }),
  ],
  // kube-prometheus-stack (charts/kube-prometheus-stack, read at 67.8 and the values of later
  // versions; the program pins 88.6.5): in its namespace the Prometheus Operator (webhook and
  // metrics on `prometheusOperator.tls.internalPort` 10250, templates/prometheus-operator/
  // service.yaml `https` 443 -> 10250; the admission patch Jobs only call the API server),
  // Prometheus (9090, config reloader 8080), Alertmanager (9093, cluster mesh 9094),
  // Grafana (3000, its dashboard sidecar reads ConfigMaps through the API), kube-state-metrics
  // (8080/8081), and the node exporter on the host network (9100). They call one another
  // (Grafana -> Prometheus and Alertmanager, Prometheus -> Alertmanager and every scrape
  // target here): all ports within the namespace. Prometheus (operator-created pods,
  // `app.kubernetes.io/name: prometheus`, prometheus-operator pkg/prometheus/server/
  // statefulset.go podSelectorLabels) scrapes every namespace and the nodes; Alertmanager
  // (`app.kubernetes.io/name: alertmanager`, same operator) sends notifications to receivers,
  // which are HTTPS APIs (webhook, chat, paging services); Grafana (grafana chart selector
  // label `app.kubernetes.io/name: grafana`) installs plugins and checks for updates at
  // grafana.com over HTTPS, and is routed to by the ingress controller where its Ingress is
  // rendered (kube-prometheus-stack/index.ts, port 3000 behind the chart's Service).
  "kube-prometheus-stack": (ns, ctx) => [
    apiServerIngress("prometheus-operator-webhook-from-apiserver", ns, ALL_PODS, [10250], ctx),
    withinNamespace("monitoring-internal", ns),
    ...scraperEgress("prometheus", ns, labels({ "app.kubernetes.io/name": "prometheus" }), ctx),
    policy("alertmanager-receivers", ns, labels({ "app.kubernetes.io/name": "alertmanager" }), {
      egress: [{ to: [internet], ports: [tcp(443)] }],
    }),
    policy("grafana", ns, labels({ "app.kubernetes.io/name": "grafana" }), {
      ...(ctx.ingressNamespace
        ? { ingress: [{ from: [inNamespace(ctx.ingressNamespace)], ports: [tcp(3000)] }] }
        : {}),
      egress: [{ to: [internet], ports: [tcp(443)] }],
    }),
  ],
  // victoria-metrics-k8s-stack 0.85.9 with the operator subchart (victoria-metrics-operator
  // templates/deployment.yaml: metrics 8080, probe 8081, webhook containerPort 9443, enabled by
  // `admissionWebhooks.enabled`), VMSingle (8429, which vmagent writes to and vmalert, Grafana
  // and the Prometheus adapter query, victoria-metrics/index.ts), vmagent, vmalert (8080),
  // VMAlertmanager (9093, cluster 9094), Grafana (3000), kube-state-metrics and the node
  // exporter (host network): all ports within the namespace. vmagent (operator-created pods,
  // `app.kubernetes.io/name: vmagent`, VictoriaMetrics operator api VMAgent.SelectorLabels)
  // scrapes every namespace and the nodes; VMAlertmanager (`app.kubernetes.io/name:
  // vmalertmanager`, VMAlertmanager.SelectorLabels) notifies receivers over HTTPS; Grafana
  // reaches grafana.com for plugins and updates. The chart's sync-job (a Job; the Job controller
  // labels its pods `batch.kubernetes.io/job-name`, Kubernetes "Well-Known Labels") fetches
  // dashboards and rules from raw.githubusercontent.com over HTTPS (victoria-metrics/index.ts
  // `VM_SYNC_JOB_TAG`). Grafana has no route: it is reached through the API server's port
  // forward, which enters the pod's network namespace from the kubelet and is not filtered.
  "victoria-metrics-k8s-stack": (ns, ctx) => [
    apiServerIngress("vm-operator-webhook-from-apiserver", ns, ALL_PODS, [9443], ctx),
    withinNamespace("victoriametrics-internal", ns),
    ...scraperEgress("vmagent", ns, labels({ "app.kubernetes.io/name": "vmagent" }), ctx),
    policy("vmalertmanager-receivers", ns, labels({ "app.kubernetes.io/name": "vmalertmanager" }), {
      egress: [{ to: [internet], ports: [tcp(443)] }],
    }),
    policy("grafana-egress", ns, labels({ "app.kubernetes.io/name": "grafana" }), {
      egress: [{ to: [internet], ports: [tcp(443)] }],
    }),
    policy(
      "sync-job-egress",
      ns,
      { matchExpressions: [{ key: "batch.kubernetes.io/job-name", operator: "Exists" }] },
      { egress: [{ to: [internet], ports: [tcp(443)] }] },
    ),
  ],
  // prometheus-operator-crds installs only CRDs, no pods.
  "prometheus-operator-crds": () => [],
  // prometheus-adapter 5.2.0 (templates/deployment.yaml): the adapter serves the external
  // metrics API on `--secure-port={{ .Values.listenPort }}` (containerPort `https`, 6443 by
  // default), which the API server calls through its APIService; it queries VMSingle in its own
  // namespace (within-namespace rule of the stack).
  "prometheus-adapter": (ns, ctx) => [
    apiServerIngress("prometheus-adapter-from-apiserver", ns, ALL_PODS, [6443], ctx),
  ],
  // Longhorn 1.10.1 (chart/templates/network-policies, the chart's own ingress policies behind
  // `networkPolicies.enabled`; Longhorn docs "Longhorn Networking"): longhorn-manager (`app:
  // longhorn-manager`) serves its API and metrics on 9500 (to the UI, the CSI plugin, the
  // driver deployer, recurring-job pods and other managers), the conversion webhook on 9501, the
  // admission webhook on 9502 and the NFS recovery backend on 9503; instance managers
  // (`longhorn.io/component: instance-manager`) take 8500-8504 from the managers and
  // 10000-30000 from one another (engine to replica, on every node) and from backing-image
  // data sources; backing-image managers 8000-8002 and 30001-31000. All of it is within
  // this namespace: all ports within the namespace. From outside it: the API server calls the
  // webhooks (9501, 9502); each node's iSCSI initiator connects to its engine's target on 3260
  // ("Node in the Cluster 3260"), and the CSI plugin mounts RWX volumes from the host's network
  // namespace (longhorn-manager csi/deployment.go, host-proc "to mount RWX volumes") to the
  // share manager's NFS server on 2049; the monitoring namespace scrapes 9500. Out: the
  // managers and instance managers reach the backup target ("External Backupstore: user
  // defined"), and the managers the upgrade responder over HTTPS (setting "Enable Upgrade
  // Checker", on by default). The CSI sidecars talk to the plugin over a Unix socket.
  longhorn: (ns, ctx) => [
    apiServerIngress(
      "longhorn-webhooks-from-apiserver",
      ns,
      labels({ app: "longhorn-manager" }),
      [9501, 9502],
      ctx,
    ),
    withinNamespace("longhorn-internal", ns),
    policy("longhorn-from-nodes", ns, ALL_PODS, {
      ingress: [
        {
          from: (ctx.nodeSourceCidrs ?? PRIVATE_CIDRS).map((cidr) => ({ ipBlock: { cidr } })),
          ports: [tcp(3260), tcp(2049)],
        },
      ],
    }),
    ...metricsIngress("longhorn", ns, ctx, [9500]),
    policy("longhorn-manager-upgrade-checker", ns, labels({ app: "longhorn-manager" }), {
      egress: [{ to: [internet], ports: [tcp(443)] }],
    }),
    ...(ctx.longhornBackupEndpoint ? [longhornBackupTarget(ns, ctx.longhornBackupEndpoint)] : []),
  ],
  // victoria-logs-single (charts/victoria-logs-single/values.yaml): the server listens on
  // `httpListenAddr` :9428 (ingestion, queries and its own metrics, behind a headless
  // Service); the chart's Vector agent (`vector.enabled`, this program's `collector`) reads the
  // node's log files, enriches them from the API server (`kubernetes_logs` source) and sends
  // them to the server on 9428, and exports its own metrics on 9090 (`prometheus_exporter`
  // sink); Vector's API (8686) is off. The monitoring namespace reaches both ports: its
  // scraper, and Grafana querying logs.
  "victoria-logs-single": (ns, ctx) => [
    policy("victoria-logs-ingest", ns, ALL_PODS, {
      ingress: [{ from: [{ podSelector: {} }], ports: [tcp(9428)] }],
      egress: [{ to: [{ podSelector: {} }], ports: [tcp(9428)] }],
    }),
    ...metricsIngress("victoria-logs", ns, ctx, [9428, 9090]),
  ],
  // metallb chart 0.15.2 (charts/metallb/templates/controller.yaml, webhooks.yaml): the
  // controller's webhook server on 9443 (the webhook Service's targetPort) and metrics on
  // `prometheus.metricsPort` 7472. The speaker runs on the host network (speaker.yaml
  // `hostNetwork: true`), which NetworkPolicies do not select.
  metallb: (ns, ctx) => [
    apiServerIngress("metallb-webhook-from-apiserver", ns, ALL_PODS, [9443], ctx),
    ...metricsIngress("metallb", ns, ctx, [7472]),
  ],
  // fairwinds vpa chart 4.10.1 with only the recommender (clusterHelpers.ts vpaService): its
  // metrics and health port is 8942 (stable/vpa/templates/recommender-deployment.yaml); it
  // reads usage through the API server's metrics API, so it needs nothing else.
  vpa: (ns, ctx) => [...metricsIngress("vpa", ns, ctx, [8942])],
};

/** The item holding a chart namespace's policies. */
export function namespacePolicyItemName(namespace: string): string {
  return `network-policies-${namespace}`;
}

/**
 * One bundle per chart namespace with the default deny and the allow rules of every chart in
 * it. A namespace listed in `OPEN_CHART_NAMESPACES` is left alone; a chart with no entry in
 * {@link CHART_RULES} in any other namespace is an error, so a new chart cannot arrive
 * without its rules or a stated reason.
 */
export function chartNamespacePolicies(
  items: readonly DeliveryItem[],
  ctx: NamespacePolicyContext,
): Bundle[] {
  const charts = new Map<string, Addon[]>();
  for (const item of items) {
    if (item.kind !== "addon" || OPEN_CHART_NAMESPACES[item.namespace]) continue;
    charts.set(item.namespace, [...(charts.get(item.namespace) ?? []), item]);
  }
  return [...charts].map(([namespace, addons]) => {
    const objects: KubeObject[] = [
      ...baselineNetworkPolicies(namespace),
      apiServerEgress("allow-apiserver-egress", namespace, {}, ctx.cni, ctx.apiServerCidrs),
    ];
    for (const addon of addons) {
      const rules = CHART_RULES[addon.chart];
      if (!rules)
        throw new Error(
          `chart ${addon.chart} (item ${addon.name}) installs into namespace ${namespace}, which has no network rules for it: add them to components/platform/namespace-policies.ts CHART_RULES, or list the namespace in policy/exceptions.ts OPEN_CHART_NAMESPACES with the reason it stays open`,
        );
      objects.push(...rules(namespace, ctx));
    }
    return {
      kind: "bundle",
      name: namespacePolicyItemName(namespace),
      layer: "infrastructure-controllers",
      namespace,
      objects,
    } satisfies Bundle;
  });
}
