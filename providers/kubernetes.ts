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

/** Arguments of {@link clusterProvider}. */
export interface ClusterProviderArgs {
  /** The cluster's admin kubeconfig; kept secret. */
  readonly kubeconfig: pulumi.Input<string>;
  /**
   * The cluster's identity. pulumi-kubernetes replaces a provider, and so every object it
   * manages, when its kubeconfig's active cluster changes or is unknown at preview; with a
   * `clusterIdentifier` it replaces only when the identifier changes and treats every other
   * change as an update (`DiffConfig`, pulumi-kubernetes provider/pkg/provider/provider.go:
   * "we ignore replacements when the identifier is unchanged").
   */
  readonly clusterIdentifier: pulumi.Input<string>;
  /**
   * Drop objects from state instead of failing when the cluster they were created in no
   * longer answers (`deleteUnreachable`: "delete resources associated with an unreachable
   * Kubernetes cluster from Pulumi state"). For clusters that are rebuilt from scratch.
   * @default false
   */
  readonly deleteUnreachable?: boolean;
}

/** The live provider of a cluster the program builds: secret kubeconfig, stable identity, SSA. */
export function clusterProvider(
  name: string,
  args: ClusterProviderArgs,
  opts?: pulumi.CustomResourceOptions,
): k8s.Provider {
  return new k8s.Provider(
    name,
    {
      kubeconfig: pulumi.secret(args.kubeconfig),
      clusterIdentifier: args.clusterIdentifier,
      ...(args.deleteUnreachable ? { deleteUnreachable: true } : {}),
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
