import * as pulumi from "@pulumi/pulumi";
import {
  argoItemWaves,
  fluxInstallUrl,
  fluxUnits,
  itemPrerequisites,
  mustPrecede,
  orderItems,
  PHASE_ANNOTATION,
  phaseOf,
  validateItems,
  withNamespace,
  withoutEmptyItems,
  derivedNeeds,
  withDerivedDependencies,
  keptOnRemoval,
  KEEP_ON_PRUNE,
  waitForAnnotation,
  addonUnitTimeout,
  isRetained,
  type Addon,
  type Bundle,
  type DeliveryItem,
} from "../../components/gitops";
import { ITEMS } from "./fixtures";

const addon = ITEMS[0] as Addon;
const bundle = ITEMS[2] as Bundle;
const cm = (name: string) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name }, data: { a: "b" } });

describe("delivery model", () => {
  it("accepts the fixture set", () => {
    expect(() => validateItems(ITEMS)).not.toThrow();
  });

  it("rejects a Secret in a bundle with a clear message", () => {
    const bad: DeliveryItem = { ...bundle, objects: [{ apiVersion: "v1", kind: "Secret", metadata: { name: "db" }, stringData: { password: "x" } }] };
    expect(() => validateItems([bad])).toThrow(
      'bundle "backend": object Secret/db is a Secret; Secrets are never emitted or delivered through git. Pass it as a LiveSecret or reference it through an operator',
    );
  });

  it("rejects unpinned chart versions", () => {
    expect(() => validateItems([{ ...addon, version: "latest" }])).toThrow(
      'addon "cert-manager": version "latest" must be an exact chart version such as 1.2.3, not a range or "latest"',
    );
    expect(() => validateItems([{ ...addon, version: "^1.16.0" }])).toThrow('version "^1.16.0" must be an exact chart version');
  });

  it("rejects non-plain values (an Output would leak into a file)", () => {
    const values = { password: pulumi.secret("s3cret") } as unknown as Record<string, string>;
    expect(() => validateItems([{ ...addon, values }])).toThrow(
      'addon "cert-manager": values.password is not plain data; Helm values never hold Outputs or secrets',
    );
  });

  it("rejects duplicates, bad names and reserved names", () => {
    expect(() => validateItems([addon, addon])).toThrow('addon "cert-manager": duplicate item name; names are unique per cluster');
    expect(() => validateItems([{ ...addon, name: "Cert_Manager" }])).toThrow('addon "Cert_Manager": name must be a DNS label');
    expect(() => validateItems([{ ...bundle, name: "migrations" }])).toThrow(
      'bundle "migrations": name is reserved (migrations, workloads, app, platform-root name phase directories and root units)',
    );
    expect(() => validateItems([{ ...bundle, name: "platform-root" }])).toThrow('bundle "platform-root": name is reserved');
    expect(() => validateItems([{ ...addon, repository: "http://charts.example" }])).toThrow(
      'addon "cert-manager": repository "http://charts.example" must start with https:// or oci://',
    );
  });

  it("rejects bad timeouts, unknown or self dependencies and dependency cycles", () => {
    expect(() => validateItems([{ ...bundle, timeout: "5 minutes" }])).toThrow(
      'bundle "backend": timeout "5 minutes" must be a duration such as 5m, 90s or 1h30m',
    );
    expect(() => validateItems([{ ...bundle, dependsOn: ["postgres"] }])).toThrow(
      'bundle "backend": dependsOn "postgres" is not an item on this cluster (items: backend)',
    );
    expect(() => validateItems([{ ...bundle, dependsOn: ["backend"] }])).toThrow('bundle "backend": dependsOn names the item itself');
    const a: Bundle = { ...bundle, name: "a", objects: [], dependsOn: ["b"] };
    const b: Bundle = { ...bundle, name: "b", objects: [], dependsOn: ["a"] };
    expect(() => orderItems([a, b])).toThrow("dependsOn: items depend on each other in a cycle (a -> b -> a); break the cycle");
  });

  it("rejects bad valuesFrom and ignoreDifferences entries", () => {
    const ref = { secretName: "db-auth", key: "password", targetPath: "auth.password" };
    expect(() => validateItems([{ ...addon, valuesFrom: [ref, ref] }])).toThrow(
      'addon "cert-manager": valuesFrom targetPath "auth.password" is given twice',
    );
    expect(() => validateItems([{ ...addon, valuesFrom: [{ ...ref, targetPath: "auth password" }] }])).toThrow(
      'addon "cert-manager": valuesFrom targetPath "auth password" must be a dotted Helm values path such as auth.password',
    );
    const diff = { group: "admissionregistration.k8s.io", kind: "MutatingWebhookConfiguration", jsonPointers: ["webhooks/0"] };
    expect(() => validateItems([{ ...addon, ignoreDifferences: [diff] }])).toThrow(
      'addon "cert-manager": ignoreDifferences MutatingWebhookConfiguration pointer "webhooks/0" must be an RFC 6901 JSON pointer such as /webhooks/0/clientConfig/caBundle',
    );
  });

  it("derives phases from kinds and from the phase annotation", () => {
    expect(bundle.objects.map(phaseOf)).toEqual(["base", "base", "migrations", "workloads"]);
    const db = { apiVersion: "apps/v1", kind: "StatefulSet", metadata: { name: "db", annotations: { [PHASE_ANNOTATION]: "base" } } };
    expect(phaseOf(db)).toBe("base");
    expect(() => phaseOf({ ...db, metadata: { name: "db", annotations: { [PHASE_ANNOTATION]: "early" } } })).toThrow(
      'StatefulSet/db: annotation platform.io/phase="early" must be one of base, migrations, workloads',
    );
    expect(withNamespace(bundle.objects[1], "steady").metadata.namespace).toBe("steady");
    expect(withNamespace(bundle.objects[0], "steady").metadata.namespace).toBeUndefined();
  });

  it("orders items by what they wait for and, within an item, by phase", () => {
    const k = (layer: DeliveryItem["layer"], item: string, phase: "base" | "migrations" | "workloads") => ({ layer, item, phase });
    expect(mustPrecede(k("infrastructure-controllers", "a", "base"), k("apps", "b", "base"), new Set(["a"]))).toBe(true);
    // Layers alone order nothing: an app waits only for what it needs.
    expect(mustPrecede(k("infrastructure-controllers", "a", "base"), k("apps", "b", "base"), new Set())).toBe(false);
    expect(mustPrecede(k("apps", "b", "migrations"), k("apps", "b", "workloads"), new Set())).toBe(true);
    expect(mustPrecede(k("apps", "b", "workloads"), k("apps", "b", "migrations"), new Set())).toBe(false);
    expect(mustPrecede(k("apps", "b", "migrations"), k("apps", "c", "workloads"), new Set())).toBe(false);
  });

  it("keeps stateful objects on both engines and leaves other sync options alone", () => {
    const ns = { apiVersion: "v1", kind: "Namespace", metadata: { name: "a", annotations: { "argocd.argoproj.io/sync-options": "ServerSideApply=true,Prune=true" } } };
    expect(keptOnRemoval(ns).metadata.annotations).toEqual({
      "argocd.argoproj.io/sync-options": "ServerSideApply=true,Prune=false,Delete=false",
      "kustomize.toolkit.fluxcd.io/prune": "disabled",
    });
    const db = { apiVersion: "postgresql.cnpg.io/v1", kind: "Cluster", metadata: { name: "db" } };
    expect(keptOnRemoval(db).metadata.annotations).toEqual(KEEP_ON_PRUNE);
    const deployment = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web" } };
    expect(keptOnRemoval(deployment)).toBe(deployment);
    expect(isRetained({ apiVersion: "postgresql.cnpg.io/v1", kind: "ScheduledBackup" })).toBe(false);
  });

  it("waits in deploy mode for an Application synced to the asked revision, not a stale Healthy", () => {
    const app = { apiVersion: "argoproj.io/v1alpha1", kind: "Application", metadata: { name: "a" }, spec: { source: { targetRevision: "1.16.2" } } };
    expect(JSON.parse(waitForAnnotation(app)["pulumi.com/waitFor"])).toEqual([
      "jsonpath={.status.health.status}=Healthy",
      "jsonpath={.status.sync.status}=Synced",
      "jsonpath={.status.sync.revision}=1.16.2",
    ]);
    expect(addonUnitTimeout("5m")).toBe("35m");
    expect(addonUnitTimeout("90s")).toBe("630s");
  });

  it("pins the Flux install manifest", () => {
    expect(fluxInstallUrl("2.7.5")).toBe("https://github.com/fluxcd/flux2/releases/download/v2.7.5/install.yaml");
    expect(fluxInstallUrl("v2.7.5")).toBe("https://github.com/fluxcd/flux2/releases/download/v2.7.5/install.yaml");
    expect(() => fluxInstallUrl("latest")).toThrow('versions.flux: "latest" must be an exact Flux version such as 2.7.5');
  });
});

describe("item graph", () => {
  it("makes every item wait for its dependsOn only, not for the layer before it", () => {
    expect(Object.fromEntries(itemPrerequisites(ITEMS))).toEqual({
      "cert-manager": [],
      issuers: ["cert-manager"],
      backend: [],
      "kube-prometheus-stack": [],
    });
  });

  it("derives what an item needs from its objects: namespace, CRDs, store, issuer, gateway, storage, database, priority", () => {
    const obj = (apiVersion: string, kind: string, name: string, rest: Record<string, unknown> = {}) => ({ apiVersion, kind, metadata: { name }, ...rest });
    const items: DeliveryItem[] = [
      { kind: "addon", name: "eso", layer: "infrastructure-controllers", namespace: "eso", repository: "https://x", chart: "eso", version: "1.0.0", includeCrds: true },
      { kind: "bundle", name: "ns-eso", layer: "infrastructure-controllers", namespace: "eso", objects: [obj("v1", "Namespace", "eso")] },
      { kind: "bundle", name: "stores", layer: "infrastructure-configs", namespace: "eso", objects: [obj("external-secrets.io/v1", "ClusterSecretStore", "vault")] },
      { kind: "bundle", name: "issuers", layer: "infrastructure-configs", namespace: "eso", objects: [obj("cert-manager.io/v1", "ClusterIssuer", "le")] },
      { kind: "bundle", name: "gw", layer: "infrastructure-configs", namespace: "gw", objects: [obj("gateway.networking.k8s.io/v1", "Gateway", "public")] },
      { kind: "bundle", name: "nfs", layer: "infrastructure-configs", namespace: "default", objects: [obj("storage.k8s.io/v1", "StorageClass", "nfs")] },
      { kind: "bundle", name: "ns-app", layer: "infrastructure-configs", namespace: "app", objects: [obj("v1", "Namespace", "app")] },
      { kind: "bundle", name: "priorities", layer: "infrastructure-configs", namespace: "app", objects: [obj("scheduling.k8s.io/v1", "PriorityClass", "critical")] },
      {
        kind: "bundle",
        name: "db",
        layer: "infrastructure-configs",
        namespace: "app",
        objects: [obj("postgresql.cnpg.io/v1", "Cluster", "db", { spec: { storage: { storageClass: "longhorn" }, priorityClassName: "critical" } })],
      },
      {
        kind: "bundle",
        name: "app",
        layer: "apps",
        namespace: "app",
        objects: [
          obj("external-secrets.io/v1", "ExternalSecret", "s", { spec: { secretStoreRef: { kind: "ClusterSecretStore", name: "vault" } } }),
          obj("cert-manager.io/v1", "Certificate", "c", { spec: { issuerRef: { kind: "ClusterIssuer", name: "le" } } }),
          obj("gateway.networking.k8s.io/v1", "HTTPRoute", "r", { spec: { parentRefs: [{ name: "public", namespace: "gw" }] } }),
          obj("v1", "PersistentVolumeClaim", "data", { spec: { storageClassName: "nfs" } }),
          obj("postgresql.cnpg.io/v1", "Database", "d", { spec: { cluster: { name: "db" } } }),
          obj("apps/v1", "Deployment", "web"),
          obj("batch/v1", "CronJob", "nightly", { spec: { jobTemplate: { spec: { template: { spec: { priorityClassName: "critical" } } } } } }),
        ],
      },
    ];
    const table = { apiGroups: { "external-secrets.io": ["eso"], "cert-manager.io": ["cert-manager"], "postgresql.cnpg.io": ["cnpg"] }, storageClasses: { longhorn: ["longhorn"] } };
    expect(Object.fromEntries(derivedNeeds(items, table))).toEqual({
      eso: ["ns-eso"],
      "ns-eso": [],
      // Cluster-scoped objects need no namespace.
      stores: ["eso"],
      // cert-manager is not on this cluster: nothing to wait for.
      issuers: [],
      gw: [],
      nfs: [],
      "ns-app": [],
      // A pod is refused while the PriorityClass it names does not exist.
      priorities: [],
      db: ["ns-app", "priorities"],
      app: ["db", "eso", "gw", "issuers", "nfs", "ns-app", "priorities", "stores"],
    });
    expect(withDerivedDependencies(items, table).find((i) => i.name === "stores")!.dependsOn).toEqual(["eso"]);
  });

  it("builds one Flux unit per item phase, each phase after the one before", () => {
    expect(fluxUnits(ITEMS).map((u) => [u.name, u.dir, u.dependsOn, u.force, u.timeout ?? "-"])).toEqual([
      ["cert-manager", "infrastructure-controllers/cert-manager/app", [], false, "35m"],
      ["issuers", "infrastructure-configs/issuers/app", ["cert-manager"], false, "-"],
      ["backend", "apps/backend/app", [], false, "10m"],
      ["backend-migrations", "apps/backend/migrations", ["backend"], true, "10m"],
      ["backend-workloads", "apps/backend/workloads", ["backend-migrations"], false, "10m"],
      ["kube-prometheus-stack", "monitoring/kube-prometheus-stack/app", [], false, "35m"],
    ]);
    // A dependent waits for the last unit of its prerequisite, not its first.
    const after: Bundle = { ...bundle, name: "frontend", objects: [cm("frontend")], dependsOn: ["backend"] };
    expect(fluxUnits([...ITEMS, after]).find((u) => u.name === "frontend")!.dependsOn).toEqual(["backend-workloads"]);
  });

  it("drops a bundle left empty and hands its prerequisites to its dependents", () => {
    const ns: Bundle = { ...bundle, name: "namespace-steady", layer: "infrastructure-configs", objects: [], dependsOn: ["issuers"] };
    const app: Bundle = { ...bundle, name: "api", objects: [cm("api")], dependsOn: ["namespace-steady", "kube-prometheus-stack"] };
    const kept = withoutEmptyItems([...ITEMS, ns, app]);
    expect(kept.map((i) => i.name)).toEqual(["cert-manager", "issuers", "backend", "kube-prometheus-stack", "api"]);
    expect(kept.find((i) => i.name === "api")!.dependsOn).toEqual(["issuers", "kube-prometheus-stack"]);
    // Only a phase with objects gets a unit, and an item with none is refused rather than pointed at nothing.
    const onlyWorkload: Bundle = { ...bundle, name: "worker", objects: [{ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "w" } }] };
    expect(fluxUnits([onlyWorkload]).map((u) => u.dir)).toEqual(["apps/worker/workloads"]);
    expect(() => fluxUnits([{ ...ns, dependsOn: [] }])).toThrow('bundle "namespace-steady": has no objects, so its unit would point at nothing');
  });

  it("refuses an item whose name collides with another item's phase unit", () => {
    const clash: Bundle = { ...bundle, name: "backend-migrations", objects: [cm("x")] };
    expect(() => fluxUnits([...ITEMS, clash])).toThrow(
      'bundle "backend-migrations": its base unit would be named "backend-migrations", which another item\'s unit already uses; rename one of the items',
    );
  });

  it("gives Argo CD Applications the layer wave, later when they wait for an item of that wave", () => {
    expect(Object.fromEntries(argoItemWaves(ITEMS))).toEqual({
      "cert-manager": -10,
      issuers: -5,
      backend: 0,
      "kube-prometheus-stack": -10,
    });
    const scraper: Bundle = { ...bundle, name: "scrape", layer: "monitoring", objects: [], dependsOn: ["kube-prometheus-stack"] };
    const app: Bundle = { ...bundle, name: "api", objects: [], dependsOn: ["scrape"] };
    const waves = argoItemWaves([...ITEMS, scraper, app]);
    expect([waves.get("scrape"), waves.get("api")]).toEqual([-9, 0]);
  });
});
