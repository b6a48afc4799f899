/**
 * Issue #20 item 6 on the real synth: every unit waits for what its item uses, and only
 * that. Every stack is synthesized in emit mode with Flux (stage and prod switched from
 * Argo CD), and the Kustomization graph is read from the emitted tree.
 */
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import { PLATFORM_PROVIDERS } from "../../stacks/dependencies";
import { discardEmitted, emitStack, STACKS, type EmittedStack } from "./stack-emit";

// Emitted YAML is untyped.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

interface Unit {
  readonly dependsOn: string[];
  readonly objects: Any[];
}

/** The Flux units of one cluster's tree: name -> direct dependsOn and the objects it applies. */
function unitsOf(e: EmittedStack, cluster: string): Map<string, Unit> {
  const root = e.roots[cluster];
  const docs = (file: string) => parseAllDocuments(e.result.files.get(file)!).map((d) => d.toJS());
  const units = new Map<string, Unit>();
  for (const file of [...e.result.files.keys()].filter((f) => f.startsWith(`${root}/`) && /\/ks(-\w+)?\.yaml$/.test(f))) {
    const ks = docs(file)[0];
    const dir = String(ks.spec.path).replace(/^\.\//, "");
    const objects = [...e.result.files.keys()]
      .filter((f) => path.dirname(f) === dir && !f.endsWith("kustomization.yaml"))
      .flatMap(docs);
    units.set(ks.metadata.name, { dependsOn: (ks.spec.dependsOn ?? []).map((d: Any) => d.name).sort(), objects });
  }
  return units;
}

function closure(units: Map<string, Unit>, name: string): Set<string> {
  const seen = new Set<string>();
  const walk = (n: string) => units.get(n)!.dependsOn.forEach((d) => (seen.has(d) ? undefined : (seen.add(d), walk(d))));
  walk(name);
  return seen;
}

const emitted = new Map<string, EmittedStack>();
beforeAll(async () => {
  for (const stack of STACKS) emitted.set(stack, await emitStack(stack, { engine: stack === "homelab" ? "configured" : "other" }));
}, 180_000);
afterAll(() => emitted.forEach(discardEmitted));

describe.each(STACKS)("the unit graph of %s", (stack) => {
  it("makes every unit wait, directly or not, for the units providing its namespace and its custom resources' CRDs", () => {
    const e = emitted.get(stack)!;
    let checked = 0;
    for (const cluster of Object.keys(e.roots)) {
      const units = unitsOf(e, cluster);
      const unitOf = (pred: (o: Any) => boolean) => [...units].filter(([, u]) => u.objects.some(pred)).map(([n]) => n);
      for (const [name, unit] of units) {
        const before = closure(units, name);
        for (const o of unit.objects) {
          const ns = o.metadata.namespace;
          for (const creator of ns ? unitOf((x) => x.kind === "Namespace" && x.metadata.name === ns) : []) {
            if (creator !== name) expect([name, o.kind, creator, before.has(creator)]).toEqual([name, o.kind, creator, true]);
            checked++;
          }
          const group = String(o.apiVersion).split("/").slice(0, -1).join("/");
          for (const provider of PLATFORM_PROVIDERS.apiGroups[group] ?? []) {
            if (!units.has(provider)) continue;
            expect([name, o.kind, provider, before.has(provider)]).toEqual([name, o.kind, provider, true]);
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(5);
  });

  it("does not make an app wait for a controller it does not use", () => {
    const e = emitted.get(stack)!;
    for (const cluster of Object.keys(e.roots)) {
      const units = unitsOf(e, cluster);
      // Before: every app waited on every config unit, and those on every controller.
      // These provide nothing an app delivers (no CRD, store or StorageClass it uses).
      // (vpa is not among them: apps deliver VerticalPodAutoscaler objects, whose CRD it installs.)
      const controllers = [...units.keys()].filter((n) => ["metallb", "descheduler", "metrics-server", "renovate", "sealed-secrets", "cluster-autoscaler"].includes(n));
      for (const name of [...units.keys()].filter((n) => !controllers.some((c) => n === c || n.startsWith(`${c}-`)))) {
        for (const c of controllers) expect([name, c, closure(units, name).has(c)]).toEqual([name, c, false]);
      }
      // Longhorn only for what asks for a longhorn volume.
      if (units.has("longhorn")) {
        // A unit uses Longhorn through a longhorn StorageClass or a longhorn.io custom resource.
        const usesIt = (o: Any) => JSON.stringify(o).includes('"longhorn"') || String(o.apiVersion).startsWith("longhorn.io/");
        for (const [name] of [...units].filter(([, u]) => !u.objects.some(usesIt))) {
          const usesLonghorn = [...closure(units, name)].some((d) => d !== "longhorn" && units.get(d)!.objects.some(usesIt));
          if (!usesLonghorn && name !== "longhorn") expect([name, closure(units, name).has("longhorn")]).toEqual([name, false]);
        }
      }
    }
  });
});

it("homelab staging: the graph, unit by unit (first unit of each item)", () => {
  const units = unitsOf(emitted.get("homelab")!, "staging");
  const first = Object.fromEntries([...units].filter(([n]) => !/-(migrations|workloads)$/.test(n)).map(([n, u]) => [n, u.dependsOn]));
  // App units also wait for flux-tenancy, which holds the accounts they are applied as, and
  // for their namespace's unit (its default-deny NetworkPolicy); database clusters with
  // backups wait for the barman plugin, and with a monitoring stack for it (their PodMonitor).
  expect(first).toEqual({
    "cert-manager": [],
    "cert-manager-issuers": ["cert-manager"],
    "cloudnative-pg": ["namespace-cnpg-system"],
    commafeed: ["cert-manager-issuers", "flux-tenancy", "namespace-commafeed", "postgres-commafeed-db"],
    "consumer-access": [],
    "csi-driver-nfs": [],
    etcd: ["flux-tenancy", "namespace-ai"],
    ferretdb: ["flux-tenancy", "namespace-nightscout", "postgres-nightscout-db"],
    "flux-tenancy": [],
    homepage: ["cert-manager-issuers", "flux-tenancy", "namespace-homepage"],
    "homepage-shared": ["namespace-homepage"],
    "kube-prometheus-stack": [],
    linkding: ["cert-manager-issuers", "flux-tenancy", "namespace-linkding", "postgres-linkding-db"],
    litellm: ["flux-tenancy", "namespace-ai", "onepassword-connect", "postgres", "redis-workloads"],
    "namespace-ai": [],
    "namespace-cnpg-system": [],
    "namespace-commafeed": [],
    "namespace-homepage": [],
    "namespace-linkding": [],
    "namespace-nightscout": [],
    nats: ["flux-tenancy", "namespace-ai"],
    // Chart namespaces' policies (namespace-policies.ts) wait for their namespace's unit; the
    // cert-manager and monitoring namespaces are applied live by Pulumi (a Secret lives in each:
    // Grafana's admin in monitoring).
    "network-policies-cert-manager": [],
    "network-policies-cnpg-system": ["namespace-cnpg-system"],
    "network-policies-monitoring": [],
    "network-policies-onepassword-system": [],
    nightscout: ["cert-manager-issuers", "ferretdb-workloads", "flux-tenancy", "namespace-nightscout"],
    "onepassword-connect": [],
    "open-webui": ["flux-tenancy", "litellm-workloads", "namespace-ai", "postgres", "synology-nfs-classes"],
    "plugin-barman-cloud": ["cert-manager", "cloudnative-pg", "namespace-cnpg-system"],
    postgres: ["flux-tenancy", "namespace-ai"],
    "postgres-commafeed-db": ["cloudnative-pg", "kube-prometheus-stack", "namespace-commafeed", "plugin-barman-cloud"],
    "postgres-linkding-db": ["cloudnative-pg", "kube-prometheus-stack", "namespace-linkding", "plugin-barman-cloud"],
    "postgres-nightscout-db": ["cloudnative-pg", "kube-prometheus-stack", "namespace-nightscout", "plugin-barman-cloud"],
    redis: ["flux-tenancy", "namespace-ai"],
    "synology-nfs-classes": ["csi-driver-nfs"],
    "traefik-config": [],
  });
});
