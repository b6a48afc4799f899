/**
 * Kubernetes providers: live (applies through a cluster's kubeconfig) or render (writes
 * YAML to a directory for a GitOps engine). Components take either and do not know which
 * (ARCHITECTURE.md decision 4).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

/** A provider that applies to the cluster the kubeconfig points at. */
export function liveProvider(
  name: string,
  kubeconfig: pulumi.Input<string>,
  opts?: pulumi.CustomResourceOptions,
): k8s.Provider {
  return new k8s.Provider(
    name,
    {
      kubeconfig: pulumi.secret(kubeconfig),
      // Server-side apply so the GitOps engine and Pulumi can share field ownership.
      enableServerSideApply: true,
    },
    opts,
  );
}

/** A provider that renders objects as YAML under `directory` instead of applying them. */
export function renderProvider(
  name: string,
  directory: string,
  opts?: pulumi.CustomResourceOptions,
): k8s.Provider {
  return new k8s.Provider(name, { renderYamlToDirectory: directory }, opts);
}
