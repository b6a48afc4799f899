/**
 * The scoped way in for other teams (the outputs contract's `consumerNamespace` and
 * `consumerServiceAccount`): one namespace per cluster whose ServiceAccount may manage what
 * lives in that namespace and nothing else. The admin kubeconfig never leaves the stack: a
 * client certificate in `system:masters` cannot be revoked short of rotating the cluster CA,
 * while a ServiceAccount token is short-lived (`kubectl create token` issues it through the
 * TokenRequest API) and dies with its ServiceAccount.
 *
 * The RoleBinding grants the built-in `edit` ClusterRole inside this namespace only ("read/write
 * access to most objects in a namespace. This role does not allow viewing or modifying roles
 * or role bindings", https://kubernetes.io/docs/reference/access-authn-authz/rbac/#user-facing-roles),
 * so a consumer cannot widen its own rights.
 */

import type { DeliveryItem, KubeObject } from "../gitops/delivery";
import { namespaceObject } from "../../lib/namespaces";

/** The namespace other teams deploy into. */
export const CONSUMER_NAMESPACE = "platform-consumer";

/** The ServiceAccount whose short-lived tokens consumers use. */
export const CONSUMER_SERVICE_ACCOUNT = "deployer";

/** The objects of the consumer namespace: namespace, ServiceAccount, RoleBinding, default deny. */
export function consumerAccessObjects(): KubeObject[] {
  return [
    namespaceObject(CONSUMER_NAMESPACE),
    {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: CONSUMER_SERVICE_ACCOUNT, namespace: CONSUMER_NAMESPACE },
      // Tokens are requested per use (TokenRequest); none is mounted anywhere.
      automountServiceAccountToken: false,
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: `${CONSUMER_SERVICE_ACCOUNT}-edit`, namespace: CONSUMER_NAMESPACE },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "edit" },
      subjects: [{ kind: "ServiceAccount", name: CONSUMER_SERVICE_ACCOUNT, namespace: CONSUMER_NAMESPACE }],
    },
    {
      // Nothing in or out until the consumer's own policies say so (the consumer may create
      // NetworkPolicies here: `edit` includes them).
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "default-deny", namespace: CONSUMER_NAMESPACE },
      spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
    },
  ];
}

/** The delivery item of the consumer namespace (every cluster has one). */
export function consumerAccessItem(): DeliveryItem {
  return {
    kind: "bundle",
    name: "consumer-access",
    layer: "infrastructure-configs",
    namespace: CONSUMER_NAMESPACE,
    objects: consumerAccessObjects(),
  };
}
