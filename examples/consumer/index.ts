/**
 * An example consumer of the platform's outputs contract: another team's Pulumi program
 * that reads one cluster of a platform stack through a StackReference, typed with the
 * contract (here imported by path; a real consumer vendors or publishes stacks/contract.ts),
 * and deploys into the namespace the platform gives it.
 *
 * It never sees an admin credential: it verifies the API server with the contract's CA and
 * authenticates as the contract's ServiceAccount with a short-lived token the platform team
 * issues (`kubectl -n platform-consumer create token deployer --duration=1h`, README
 * "Outputs contract"), set as the secret `consumer:token`.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterContract } from "../../stacks/contract";

const config = new pulumi.Config("consumer");
const platform = new pulumi.StackReference(config.require("platformStack"));
const clusterName = config.require("cluster");
const token = config.requireSecret("token");

const clusters = platform.requireOutput("clusters") as pulumi.Output<Record<string, ClusterContract>>;
const cluster = clusters.apply((all) => {
  const found = all[clusterName];
  if (!found) {
    throw new pulumi.RunError(
      `consumer:cluster = "${clusterName}": the platform stack has no such cluster; it has ${Object.keys(all).join(", ")}`,
    );
  }
  return found;
});

/**
 * A kubeconfig for one ServiceAccount token: the endpoint, the CA that signs its certificate
 * and a bearer token (https://kubernetes.io/docs/concepts/configuration/organize-cluster-access-kubeconfig/).
 */
export function tokenKubeconfig(c: ClusterContract, bearer: string): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name: c.name,
        cluster: { server: c.apiEndpoint, "certificate-authority-data": c.certificateAuthorityData },
      },
    ],
    users: [{ name: c.consumerServiceAccount, user: { token: bearer } }],
    contexts: [
      {
        name: c.name,
        context: { cluster: c.name, user: c.consumerServiceAccount, namespace: c.consumerNamespace },
      },
    ],
    "current-context": c.name,
  });
}

const provider = new k8s.Provider("platform", {
  kubeconfig: pulumi.secret(pulumi.all([cluster, token]).apply(([c, t]) => tokenKubeconfig(c, t))),
  namespace: cluster.apply((c) => c.consumerNamespace),
});

// Anything the `edit` role allows in the consumer namespace; a ConfigMap keeps the example small.
const settings = new k8s.core.v1.ConfigMap(
  "team-settings",
  {
    metadata: { name: "team-example", namespace: cluster.apply((c) => c.consumerNamespace) },
    data: { storageClass: cluster.apply((c) => c.defaultStorageClass) },
  },
  { provider },
);

export const configMapName = settings.metadata.name;
export const apiEndpoint = cluster.apply((c) => c.apiEndpoint);
export const defaultStorageClass = cluster.apply((c) => c.defaultStorageClass);
