/**
 * Builds the platform services a cluster enables: each definition's builder gets the cluster's
 * facts, the settings it parsed in `config/` and the secret config it declared, and
 * returns delivery items and live Secrets for the cluster's engine.
 */
import * as pulumi from "@pulumi/pulumi";
import type { ClusterCapabilities } from "../components/cluster/contract";
import type { DeliveryItem, LiveSecret } from "../components/gitops/delivery";
import { consumerAccessItem } from "../components/platform/consumer-access";
import { MONITORING_NAMESPACE } from "../components/platform/kube-prometheus-stack";
import { VM_NAMESPACE } from "../components/platform/victoria-metrics";
import {
  apiServerCidrs,
  chartNamespacePolicies,
  nodeCidrs,
  nodeSourceCidrs,
} from "../components/platform/namespace-policies";
import { longhornService } from "../components/platform/longhorn";
import { externalSecretsService } from "../components/platform/external-secrets";
import { onePasswordOperatorService } from "../components/platform/onepassword-operator";
import type { ClusterComponentFacts } from "../components/platform/types";
import type { ClusterConfig, StackConfig } from "../config/types";
import { BUILT_IN_NAMESPACES, namespaceObject } from "../lib/namespaces";
import { DRY_RUN } from "../lib/generated-password";
import type { PlatformUnits } from "./units";

/** What the services of one cluster deliver. */
export interface PlatformDelivery {
  readonly items: DeliveryItem[];
  readonly liveSecrets: LiveSecret[];
}

/**
 * The parent of everything the services of one cluster create themselves (generated passwords).
 * Named after its type token `platform:platform:Services`, which is part of every child's URN.
 */
export class Services extends pulumi.ComponentResource {
  constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
    super("platform:platform:Services", name, {}, opts);
    this.registerOutputs({});
  }
}

/**
 * Runs every enabled service's builder for one cluster. With `dryRun`, nothing is registered
 * (no parent, no password: lib/generated-password.ts), for the preflight.
 */
export function buildServices(
  config: StackConfig,
  units: PlatformUnits,
  cluster: ClusterConfig,
  capabilities: ClusterCapabilities,
  fromCluster: ClusterComponentFacts = {},
  dryRun = false,
): PlatformDelivery {
  const parent = dryRun ? DRY_RUN : new Services(`${cluster.name}-services`);
  const items: DeliveryItem[] = [];
  const liveSecrets: LiveSecret[] = [];
  const allSecrets = config.secrets as Readonly<Record<string, pulumi.Output<string> | undefined>>;
  for (const name of cluster.services) {
    const definition = units.services.find((d) => d.name === name);
    const unit = cluster.serviceSettings?.[name];
    if (!definition || !unit)
      throw new Error(
        `platform service ${name} has no definition or no settings on cluster ${cluster.name}: the loader and the service list disagree`,
      );
    const secrets: Record<string, pulumi.Output<string>> = {};
    for (const key of Object.keys(definition.secrets ?? {})) {
      const value = allSecrets[key];
      if (value) secrets[key] = value;
    }
    const built = definition.build(unit, {
      cluster: {
        name: cluster.name,
        kind: cluster.kind,
        domain: cluster.domain,
        capabilities,
      },
      secrets,
      parent,
      fromCluster,
    });
    items.push(...built.items);
    liveSecrets.push(...built.liveSecrets);
  }
  // Every cluster: the scoped namespace other teams deploy into (outputs contract).
  items.push(consumerAccessItem());
  // Every chart namespace: a default deny and the allow rules its chart needs.
  items.push(
    ...chartNamespacePolicies(items, {
      cni: cluster.kind === "talos-hcloud" ? "cilium" : "other",
      monitoringNamespace: cluster.services.includes("victoria-metrics")
        ? VM_NAMESPACE
        : cluster.services.includes("kube-prometheus-stack")
          ? MONITORING_NAMESPACE
          : undefined,
      externalSecrets: externalSecretsService.settingsOn(cluster),
      apiServerCidrs: apiServerCidrs(cluster),
      apiServerSourceCidrs: nodeSourceCidrs(cluster, "server"),
      nodeSourceCidrs: nodeSourceCidrs(cluster),
      nodeCidrs: nodeCidrs(cluster),
      // K3s and k3d keep their bundled Traefik in kube-system (apps.ts `exposureOf`), which
      // routes Grafana's Ingress (kube-prometheus-stack/index.ts).
      ...(capabilities.ingress === "traefik" ? { ingressNamespace: "kube-system" } : {}),
      longhornBackupEndpoint: longhornService.settingsOn(cluster)?.backup?.endpoint,
      onePasswordAuth: onePasswordOperatorService.settingsOn(cluster)?.auth,
    }),
  );
  return { items: withNamespaceItems(items), liveSecrets };
}

/**
 * Gives every namespace a chart installs into a Namespace object with its Pod Security
 * Admission labels (lib/namespaces.ts), applied before the chart. The engines' own namespace
 * creation (Argo CD `CreateNamespace=true`, Flux `install.createNamespace`) sets no labels,
 * so the cluster default applied: on Talos that is `baseline` enforcement (Talos
 * "Pod Security"), which refuses the node agents some charts run (node exporter, istio-cni).
 * Built-in namespaces and namespaces a bundle already creates are left alone.
 */
export function withNamespaceItems(items: readonly DeliveryItem[]): DeliveryItem[] {
  const created = new Set(
    items
      .flatMap((i) => (i.kind === "bundle" ? i.objects.filter((o) => o.kind === "Namespace") : []))
      .map((o) => o.metadata.name),
  );
  const needed = [
    ...new Set(
      items
        .filter(
          (i) => i.kind === "addon" && !BUILT_IN_NAMESPACES.has(i.namespace) && !created.has(i.namespace),
        )
        .map((i) => i.namespace),
    ),
  ];
  const nsItems: DeliveryItem[] = needed.map((ns) => ({
    kind: "bundle",
    name: namespaceItemName(ns),
    layer: "infrastructure-controllers",
    namespace: ns,
    objects: [namespaceObject(ns)],
  }));
  const out = items.map((i) =>
    i.kind === "addon" && needed.includes(i.namespace)
      ? { ...i, dependsOn: [...(i.dependsOn ?? []), namespaceItemName(i.namespace)] }
      : i,
  );
  return [...nsItems, ...out];
}

/** The item that creates a namespace (before anything is installed into it). */
export function namespaceItemName(namespace: string): string {
  return `namespace-${namespace}`;
}
