/**
 * Rewriting of the admin kubeconfig K3s and k3d write, so that it points at the address
 * clients should use (the VIP, the VM) and carries the cluster's own name.
 */
import { parse, stringify } from "yaml";

interface NamedEntry {
  name?: unknown;
  [key: string]: unknown;
}

/**
 * Returns `kubeconfig` with every cluster's `server` set to `server` and the single
 * cluster/user/context renamed to `name` (K3s calls all three `default`, k3d `k3d-<name>`),
 * so several clusters' kubeconfigs merge without clashes. Certificates are kept as they are.
 *
 * @throws when the text is not a kubeconfig with exactly one cluster, user and context.
 */
export function rewriteKubeconfig(kubeconfig: string, server: string, name: string): string {
  const doc: unknown = parse(kubeconfig);
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
    throw new Error("rewriteKubeconfig: the command did not print a kubeconfig (expected a YAML mapping)");
  }
  const config = doc as Record<string, unknown>;
  const clusters = entries(config, "clusters");
  const users = entries(config, "users");
  const contexts = entries(config, "contexts");
  for (const cluster of clusters) {
    const body = cluster["cluster"];
    if (body === null || typeof body !== "object") {
      throw new Error("rewriteKubeconfig: a clusters[] entry has no `cluster` mapping");
    }
    (body as Record<string, unknown>)["server"] = server;
    cluster.name = name;
  }
  for (const user of users) user.name = name;
  for (const context of contexts) {
    context.name = name;
    const body = context["context"];
    if (body !== null && typeof body === "object") {
      Object.assign(body as Record<string, unknown>, { cluster: name, user: name });
    }
  }
  config["current-context"] = name;
  return stringify(config);
}

function entries(config: Record<string, unknown>, key: string): NamedEntry[] {
  const list = config[key];
  if (!Array.isArray(list) || list.length !== 1) {
    throw new Error(
      `rewriteKubeconfig: expected exactly one entry in \`${key}\`, found ${Array.isArray(list) ? list.length : 0}`,
    );
  }
  return list as NamedEntry[];
}

/** The `https://host:6443` URL of a Kubernetes API on `address`. */
export function apiServerUrl(address: string, port = 6443): string {
  return `https://${address}:${port}`;
}
