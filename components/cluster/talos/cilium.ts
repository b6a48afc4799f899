/**
 * Cilium after bootstrap: the GitOps engine's Helm release that owns and upgrades it, and
 * the cluster-wide policy that keeps pods away from the Hetzner metadata service.
 */
import type { TalosHcloudClusterConfig, Versions } from "../../../config/types";
import type { Addon } from "../../gitops/delivery";
import { ciliumValues } from "./essentials";

/** Helm repository of the Cilium chart. @see https://docs.cilium.io/en/stable/installation/k8s-install-helm/ */
export const CILIUM_CHART_REPOSITORY = "https://helm.cilium.io/";

/**
 * Cilium as a Helm addon of the cluster's engine. The bootstrap Job installs release
 * `cilium` in `kube-system` with the same values (essentials.ts `ciliumValues`); the engine
 * renders the same chart under the same release name and namespace and so adopts those
 * objects, and from then on a change of `versions.cilium` is a chart upgrade the engine
 * applies (a Job's pod template is immutable and `cilium install` does not upgrade).
 */
export function ciliumAddon(config: TalosHcloudClusterConfig, versions: Versions): Addon {
  return {
    kind: "addon",
    name: "cilium",
    layer: "infrastructure-controllers",
    namespace: "kube-system",
    repository: CILIUM_CHART_REPOSITORY,
    chart: "cilium",
    version: versions.cilium.replace(/^v/, ""),
    // The agent and operator create Cilium's CRDs themselves; the chart ships none.
    includeCrds: false,
    values: ciliumValues(config),
  };
}

/** The Hetzner Cloud metadata endpoint. @see https://docs.hetzner.cloud/reference/cloud#server-metadata */
export const HCLOUD_METADATA_CIDR = "169.254.169.254/32";

/**
 * Denies every pod outside `kube-system` egress to the metadata endpoint, which serves any
 * process on the node the server's user data and identity. Only an `egressDeny` rule with
 * `enableDefaultDeny` off, so it blocks that one address and puts no pod into default deny
 * ("If not specified, the default is true for each traffic direction that has rules":
 * Cilium Rule.enableDefaultDeny). `kube-system` keeps access for the hcloud CSI node
 * plugin, which reads its server's id there; host-network pods are not endpoints and are
 * not covered by any endpoint policy.
 * @see https://docs.cilium.io/en/stable/security/policy/deny/
 */
export function metadataDenyPolicy(): Record<string, unknown> {
  return {
    apiVersion: "cilium.io/v2",
    kind: "CiliumClusterwideNetworkPolicy",
    metadata: { name: "deny-hcloud-metadata" },
    spec: {
      description: "Pods outside kube-system may not reach the Hetzner metadata service",
      endpointSelector: {
        matchExpressions: [
          { key: "io.kubernetes.pod.namespace", operator: "NotIn", values: ["kube-system"] },
        ],
      },
      enableDefaultDeny: { egress: false, ingress: false },
      egressDeny: [{ toCIDR: [HCLOUD_METADATA_CIDR] }],
    },
  };
}
