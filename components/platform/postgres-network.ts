/**
 * NetworkPolicies for the pods CloudNativePG creates for one database cluster. The operator,
 * not the program, creates those pods (instances, and the initdb/join Jobs), and labels every
 * one of them `cnpg.io/cluster: <cluster name>` ("The label value must be the cluster name",
 * cloudnative-pg docs/src/samples/networkpolicy-example.yaml), so the policies select that label.
 *
 * What the pods need (cloudnative-pg docs "Networking": "ensure the operator can reach every
 * cluster pod on ports 8000 and 5432, and that pods can connect to each other"; the instance
 * manager in each pod reports to the Kubernetes API, which is "required and mandatory for the
 * operator to work properly", cloudnative-pg discussion #1192):
 * - ingress from the operator (namespace cnpg-system, pods `app.kubernetes.io/name:
 *   cloudnative-pg`, the chart's selector label) on 8000 and 5432;
 * - ingress and egress between the cluster's own pods on 5432 (replication) and 8000;
 * - ingress on 5432 from the apps that use the database and from the admin UIs given it;
 * - with a monitoring stack, ingress on 9187 (the instance's metrics exporter, "on port 9187,
 *   named metrics", cloudnative-pg docs "Monitoring") from the scraper's namespace;
 * - egress to DNS, to the API server, and with backups on, to the object store over HTTPS.
 */

import type { JsonValue, KubeObject } from "../gitops/delivery";
import { apiServerEgress, DNS_EGRESS_RULE, INTERNET_IP_BLOCK } from "./cluster-helpers";

type Json = { [key: string]: JsonValue };

/** Who may reach one database cluster, and what it reaches. */
export interface PostgresNetwork {
  /** `app.kubernetes.io/name` of the pods in the cluster's namespace that use the database. */
  readonly clients: readonly string[];
  /** Admin UIs in other namespaces allowed on 5432 (pgAdmin, when it lists this cluster). @default none */
  readonly admins?: readonly { readonly namespace: string; readonly app: string }[];
  /** The cluster's CNI: Cilium can name the API server, others get an address rule. */
  readonly cni: "cilium" | "other";
  /** Without Cilium, the API server's addresses (namespace-policies.ts `apiServerCidrs`). @default the private ranges */
  readonly apiServerCidrs?: readonly string[];
  /** The operator's namespace. */
  readonly operatorNamespace: string;
  /** The namespace of the cluster's metrics scraper, admitted to the exporter. @default none: nothing scrapes */
  readonly scraperNamespace?: string;
}

/** The instance pods' metrics exporter port (cloudnative-pg docs "Monitoring"). */
export const POSTGRES_METRICS_PORT = 9187;

const tcp = (port: number): Json => ({ protocol: "TCP", port });

const inNamespace = (ns: string): Json => ({
  namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ns } },
});

/** The policies of database cluster `name` in `namespace`; `backup` adds object-store egress. */
export function postgresNetworkPolicies(
  name: string,
  namespace: string,
  network: PostgresNetwork,
  backup: boolean,
): KubeObject[] {
  const pods: Json = { matchLabels: { "cnpg.io/cluster": name } };
  const ownPods: Json = { podSelector: pods };
  const ingress: Json[] = [
    {
      from: [
        {
          ...inNamespace(network.operatorNamespace),
          podSelector: { matchLabels: { "app.kubernetes.io/name": "cloudnative-pg" } },
        },
      ],
      ports: [tcp(8000), tcp(5432)],
    },
    { from: [ownPods], ports: [tcp(5432), tcp(8000)] },
  ];
  const clients = [
    ...[...network.clients].sort().map((app): Json => ({
      podSelector: { matchLabels: { "app.kubernetes.io/name": app } },
    })),
    ...(network.admins ?? []).map((a): Json => ({
      ...inNamespace(a.namespace),
      podSelector: { matchLabels: { "app.kubernetes.io/name": a.app } },
    })),
  ];
  if (clients.length) ingress.push({ from: clients, ports: [tcp(5432)] });
  if (network.scraperNamespace)
    ingress.push({ from: [inNamespace(network.scraperNamespace)], ports: [tcp(POSTGRES_METRICS_PORT)] });
  const egress: Json[] = [DNS_EGRESS_RULE as Json, { to: [ownPods], ports: [tcp(5432), tcp(8000)] }];
  // The Barman Cloud plugin's sidecar in each instance pod uploads WAL and base backups to
  // the S3 endpoint (ObjectStore `endpointURL`), an HTTPS service outside the cluster.
  if (backup)
    egress.push({
      to: [{ ipBlock: { ...INTERNET_IP_BLOCK, except: [...INTERNET_IP_BLOCK.except] } }],
      ports: [tcp(443)],
    });
  return [
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: `${name}-postgres`, namespace },
      spec: { podSelector: pods, policyTypes: ["Ingress", "Egress"], ingress, egress },
    },
    apiServerEgress(`${name}-postgres-apiserver`, namespace, pods, network.cni, network.apiServerCidrs),
  ];
}
