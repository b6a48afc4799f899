/**
 * An example consumer of the platform's outputs contract: another team's Pulumi program
 * that reads one cluster of a platform stack through a StackReference, typed with the
 * contract (here imported by path; a real consumer vendors or publishes stacks/contract.ts),
 * and creates its namespace there with the cluster's kubeconfig.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterContract } from "../../stacks/contract";

const config = new pulumi.Config("consumer");
const platform = new pulumi.StackReference(config.require("platformStack"));
const clusterName = config.require("cluster");

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

// The kubeconfig is a secret output of the platform stack and stays one here.
const provider = new k8s.Provider("platform", {
  kubeconfig: pulumi.secret(cluster.apply((c) => c.kubeconfig)),
});

const namespace = new k8s.core.v1.Namespace(
  "team",
  {
    metadata: {
      name: "team-example",
      labels: { "pod-security.kubernetes.io/enforce": "restricted" },
    },
  },
  { provider },
);

export const namespaceName = namespace.metadata.name;
export const apiEndpoint = cluster.apply((c) => c.apiEndpoint);
export const defaultStorageClass = cluster.apply((c) => c.defaultStorageClass);
