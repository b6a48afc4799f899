/**
 * Rules that span fields, clusters or the catalog. Each violation is one ConfigError
 * naming the key, the value and the fix.
 */
import { runsOn, type AppEntry } from "./catalog";
import { ConfigError, type ErrorCollector } from "./reader";
import type { ClusterConfig, K3dProxmoxClusterConfig, StackShape, Versions } from "./types";
import type { ClusterRules, Units } from "./units";
import { parseInterfaceAddress, parseIpv4 } from "../lib/net";

const SHAPE_KINDS: Record<StackShape, readonly ClusterConfig["kind"][]> = {
  cloud: ["talos-hcloud", "existing"],
  homelab: ["k3s", "k3d-proxmox", "existing"],
};

/** Patterns of every pinned version; `latest` and ranges never match. */
export const VERSION_PATTERNS: Readonly<Record<keyof Versions, { pattern: RegExp; example: string }>> = {
  talos: { pattern: /^v\d+\.\d+\.\d+$/, example: "v1.11.3" },
  kubernetes: { pattern: /^v\d+\.\d+\.\d+$/, example: "v1.34.1" },
  k3s: { pattern: /^v\d+\.\d+\.\d+\+k3s\d+$/, example: "v1.33.5+k3s1" },
  kubeVip: { pattern: /^v\d+\.\d+\.\d+$/, example: "v1.0.4" },
  k3d: { pattern: /^v\d+\.\d+\.\d+$/, example: "v5.8.3" },
  k3dK3sImage: { pattern: /^v\d+\.\d+\.\d+-k3s\d+$/, example: "v1.33.5-k3s1" },
  docker: { pattern: /^\d+\.\d+\.\d+$/, example: "28.5.2" },
  flux: { pattern: /^v\d+\.\d+\.\d+$/, example: "v2.7.5" },
  argocdChart: { pattern: /^\d+\.\d+\.\d+$/, example: "8.5.7" },
  gatewayApi: { pattern: /^v\d+\.\d+\.\d+$/, example: "v1.3.0" },
  cilium: { pattern: /^\d+\.\d+\.\d+$/, example: "1.18.2" },
  hcloudCcm: { pattern: /^\d+\.\d+\.\d+$/, example: "1.26.0" },
  hcloudCsi: { pattern: /^\d+\.\d+\.\d+$/, example: "2.19.0" },
  talosBackup: { pattern: /^v\d+\.\d+\.\d+(-[a-z0-9.]+)?$/, example: "v0.1.0-beta.3" },
  kubeletServingCertApprover: { pattern: /^v\d+\.\d+\.\d+$/, example: "v0.9.2" },
};

function clusterKey(cluster: ClusterConfig, field?: string): string {
  return `platform:clusters.${cluster.name}${field ? `.${field}` : ""}`;
}

function checkK3d(c: K3dProxmoxClusterConfig): void {
  const iface = parseInterfaceAddress(c.vm.address)!;
  const mask = iface.prefix === 0 ? 0 : (0xffffffff << (32 - iface.prefix)) >>> 0;
  if ((parseIpv4(c.vm.gateway)! & mask) >>> 0 !== (iface.address & mask) >>> 0) {
    throw new ConfigError(
      clusterKey(c, "vm.gateway"),
      c.vm.gateway,
      `must be inside the VM's subnet ${c.vm.address}`,
    );
  }
}

/** The StorageClasses and ingress a cluster offers. */
type Capabilities = ReturnType<ClusterRules["capabilities"]>;

/** Every catalog problem of one cluster: unknown names, duplicates and unmet needs. */
function checkCatalog(c: ClusterConfig, units: Units, errors: ErrorCollector): void {
  const caps = units.clusterRules.capabilities(c);
  c.services.forEach((name, i) => checkService(c, units, name, i, errors));
  c.apps.forEach((name, i) => {
    const key = clusterKey(c, `apps[${i}]`);
    const entry = units.apps.find((a) => a.name === name)?.catalog;
    if (!entry) {
      errors.add(
        new ConfigError(key, name, `unknown application; known: ${units.apps.map((a) => a.name).join(", ")}`),
      );
      return;
    }
    if (c.apps.indexOf(name) !== i)
      errors.add(new ConfigError(key, name, "listed twice; remove the duplicate"));
    checkAppServices(c, units, caps, key, name, entry, errors);
    checkAppNeeds(c, caps, key, name, entry, errors);
  });
}

/** One listed service: known, listed once, runs on this kind, its needs met, no conflict. */
function checkService(c: ClusterConfig, units: Units, name: string, i: number, errors: ErrorCollector): void {
  const key = clusterKey(c, `services[${i}]`);
  const service = units.services.find((s) => s.name === name);
  if (!service) {
    errors.add(
      new ConfigError(
        key,
        name,
        `unknown platform service; known: ${units.services.map((s) => s.name).join(", ")}`,
      ),
    );
    return;
  }
  const entry = service.catalog;
  if (c.services.indexOf(name) !== i)
    errors.add(new ConfigError(key, name, "listed twice; remove the duplicate"));
  if (!runsOn(service, c.kind)) {
    errors.add(
      new ConfigError(
        key,
        name,
        c.kind === "existing"
          ? "drives the machines of a cluster the program builds, which an existing cluster is not; remove it from this cluster"
          : `runs only on ${(entry.kinds ?? []).join(", ")} clusters, not ${c.kind}; remove it from this cluster`,
      ),
      "incompatible",
    );
  }
  for (const needed of entry.needsServices ?? []) {
    if (!c.services.includes(needed))
      errors.add(
        new ConfigError(key, name, `needs the ${needed} service on the same cluster; add it to services`),
      );
  }
  for (const other of entry.conflictsWith ?? []) {
    const at = c.services.indexOf(other);
    if (at >= 0 && at < i)
      errors.add(
        new ConfigError(key, name, `does the same job as ${other} on this cluster; keep one of them`),
      );
  }
}

/** What an app needs of the cluster's ingress and services: its ingress kind, its route's service, its services. */
function checkAppServices(
  c: ClusterConfig,
  units: Units,
  caps: Capabilities,
  key: string,
  name: string,
  entry: AppEntry,
  errors: ErrorCollector,
): void {
  if (entry.needsIngress && caps.ingress !== entry.needsIngress) {
    errors.add(
      new ConfigError(
        key,
        name,
        `needs ${entry.needsIngress} ingress, but ${c.kind} clusters route through ${caps.ingress}; run it on a cluster with ${entry.needsIngress}`,
      ),
      "incompatible",
    );
  }
  const routeService =
    entry.routes === "istio"
      ? "istio"
      : entry.routes === "cluster"
        ? caps.ingress === "gateway-api"
          ? "cilium-gateway"
          : "cert-manager"
        : undefined;
  if (
    routeService &&
    !c.services.includes(routeService) &&
    !(entry.needsServices ?? []).includes(routeService)
  )
    errors.add(
      new ConfigError(
        key,
        name,
        `publishes routes, which on this ${c.kind} cluster go through the ${routeService} service (${ROUTE_SERVICE_WHY[routeService]}); add ${routeService} to services or remove ${name}`,
      ),
    );
  for (const needed of entry.needsServices ?? []) {
    const service = units.services.find((s) => s.name === needed);
    const runsHere = service === undefined || runsOn(service, c.kind);
    if (!c.services.includes(needed))
      errors.add(
        new ConfigError(
          key,
          name,
          runsHere
            ? `needs the ${needed} service on this cluster; add ${needed} to services or remove ${name}`
            : `needs the ${needed} service, which does not run on ${c.kind} clusters; run ${name} on another cluster`,
        ),
        runsHere ? "invalid" : "incompatible",
      );
  }
}

/** What else an app needs: secret stores, other apps, a StorageClass. */
function checkAppNeeds(
  c: ClusterConfig,
  caps: Capabilities,
  key: string,
  name: string,
  entry: AppEntry,
  errors: ErrorCollector,
): void {
  const eso = c.serviceSettings?.["external-secrets"];
  // An app still waiting for an image deploys nothing yet, so it reads no secret yet.
  const waiting = (c.appSettings?.[name]?.imagesWaiting ?? []).length > 0;
  for (const store of waiting ? [] : (entry.needsSecretStores ?? [])) {
    if (c.services.includes("external-secrets") && eso && !(eso.secretStores ?? []).includes(store))
      errors.add(
        new ConfigError(
          key,
          name,
          `reads its secrets from the ${store}-backend store; configure serviceSettings.external-secrets.${store} on this cluster`,
        ),
      );
  }
  for (const needed of entry.needsApps ?? []) {
    if (!c.apps.includes(needed))
      errors.add(
        new ConfigError(
          key,
          name,
          `needs the ${needed} app on this cluster; add ${needed} to apps or remove ${name}`,
        ),
      );
  }
  if (entry.needsStorageClass && !caps.storageClasses.includes(entry.needsStorageClass)) {
    errors.add(
      new ConfigError(
        key,
        name,
        `needs the ${entry.needsStorageClass} StorageClass, which this cluster lacks (has: ${caps.storageClasses.join(", ")}); enable the service that provides it`,
      ),
    );
  }
}

/** Why a route needs its service, for the error message. */
const ROUTE_SERVICE_WHY: Readonly<Record<string, string>> = {
  "cilium-gateway": "the shared Gateway every HTTPRoute attaches to",
  "cert-manager": "Traefik's TLS certificates come from cert-manager",
  istio: "the Istio ingress gateway",
};

function checkDelivery(c: ClusterConfig, stack: string): void {
  const emitPath = `gitops/${stack}/${c.name}`;
  if (c.delivery === "emit" && c.git.path.replace(/^\.\//, "").replace(/\/$/, "") !== emitPath) {
    throw new ConfigError(
      clusterKey(c, "git.path"),
      c.git.path,
      `in emit mode the engine must sync the emitted tree; set it to ${emitPath} (or leave it unset)`,
    );
  }
}

/**
 * Runs the cluster component's own argument check now (odd etcd member counts, unique
 * hosts, CIDR layout, server types, flags it owns), so it fails before any resource is
 * registered and names the stack config key. Those rules live once, in the component.
 */
function checkComponentArgs(
  c: ClusterConfig,
  versions: Versions,
  units: Units,
  errors: ErrorCollector,
): void {
  // Every problem at once, each as its own error: one host's or pool's error must not hide
  // another's.
  for (const problem of units.clusterRules.componentProblems(c, versions))
    errors.add(ConfigError.fromComponent(clusterKey(c), problem));
}

/**
 * Applies every cross-field rule to the parsed clusters of a stack and records each
 * problem in `errors`, so one run reports them all.
 */
export function checkClusters(
  shape: StackShape,
  clusters: readonly ClusterConfig[],
  stack: string,
  versions: Versions,
  units: Units,
  errors: ErrorCollector,
): void {
  for (const c of clusters) {
    if (!SHAPE_KINDS[shape].includes(c.kind)) {
      errors.add(
        new ConfigError(
          clusterKey(c, "kind"),
          c.kind,
          `a ${shape} stack holds only ${SHAPE_KINDS[shape].join(" or ")} clusters; change platform:shape or the cluster kind`,
        ),
        "incompatible",
      );
      continue;
    }
    // Root causes first: a Kubernetes version the Talos-side components do not support is
    // an incompatibility, reported before what follows from it (the autoscaler's tag).
    if (c.kind === "talos-hcloud") {
      for (const problem of units.clusterRules.kubernetesCompatibility(versions))
        errors.add(ConfigError.fromComponent(clusterKey(c), problem), "incompatible");
    }
    if (c.kind === "k3d-proxmox") errors.attempt(() => checkK3d(c));
    checkCatalog(c, units, errors);
    for (const problem of units.clusterRules.servicesProblems(c)) errors.add(problem);
    errors.attempt(() => checkDelivery(c, stack));
    checkComponentArgs(c, versions, units, errors);
  }
}
