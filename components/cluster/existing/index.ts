/** A cluster made elsewhere, reached through its kubeconfig. */
export { ExistingCluster, kubeconfigServer, type ExistingClusterArgs } from "./existing-cluster";
