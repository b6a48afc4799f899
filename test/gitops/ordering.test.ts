import {
  argoItemWaves,
  fluxUnits,
  mustPrecede,
  placeArgoCd,
  placeFlux,
  SYNC_WAVE,
  transitivePrerequisites,
  type Bundle,
  type DeliveryItem,
  type PlacedObject,
  type PlacementContext,
} from "../../components/gitops";
import { gitFor, ITEMS } from "./fixtures";

const idOf = (p: PlacedObject) => `${p.order.item}:${p.object.kind}/${p.object.metadata.name}`;
const emitCtx: PlacementContext = { delivery: "emit", git: gitFor("s", "c"), released: false, sops: false };

/** Flux: a before b when b's Kustomization depends (transitively) on a's. */
function fluxOrder(items: readonly DeliveryItem[]) {
  const units = fluxUnits(items);
  const unitOf = (p: PlacedObject) => units.find((u) => u.dir === p.dir)!;
  const closure = (name: string): Set<string> => {
    const out = new Set<string>();
    const walk = (n: string) => units.find((u) => u.name === n)!.dependsOn.forEach((d) => (out.has(d) ? undefined : (out.add(d), walk(d))));
    walk(name);
    return out;
  };
  const placed = new Map(placeFlux(items, emitCtx).objects.map((p) => [idOf(p), p]));
  return { placed, precedes: (a: PlacedObject, b: PlacedObject) => closure(unitOf(b).name).has(unitOf(a).name) };
}

/** Argo CD: items by their Application's wave (the root syncs them in wave order), objects of one item by their own wave. */
function argoOrder(items: readonly DeliveryItem[]) {
  const waves = argoItemWaves(items);
  const wave = (p: PlacedObject) => Number(p.object.metadata.annotations?.[SYNC_WAVE] ?? "0");
  const placed = new Map(placeArgoCd(items, { ...emitCtx, delivery: "deploy" }).objects.map((p) => [idOf(p), p]));
  const precedes = (a: PlacedObject, b: PlacedObject) =>
    a.order.item !== b.order.item ? waves.get(a.order.item)! < waves.get(b.order.item)! : wave(a) < wave(b);
  return { placed, precedes };
}

describe("ordering is equivalent on Flux and Argo CD", () => {
  const flux = fluxOrder(ITEMS);
  const argo = argoOrder(ITEMS);
  // Addons become different CRs per engine; compare bundle objects one to one, addons by item.
  const bundleIds = [...flux.placed.keys()].filter((id) => argo.placed.has(id));

  it("delivers the same bundle objects on both engines", () => {
    expect(bundleIds.sort()).toEqual([
      "backend:Deployment/backend",
      "backend:Job/backend-migration",
      "backend:Namespace/steady",
      "backend:Service/backend",
      "issuers:ClusterIssuer/letsencrypt",
    ]);
  });

  it("honours every engine-neutral constraint in both engines", () => {
    let checked = 0;
    for (const o of [flux, argo]) {
      const all = [...o.placed.values()];
      for (const a of all) {
        for (const b of all) {
          if (!mustPrecede(a.order, b.order, transitivePrerequisites(ITEMS, b.order.item))) continue;
          checked++;
          expect([idOf(a), idOf(b), o.precedes(a, b)]).toEqual([idOf(a), idOf(b), true]);
        }
      }
    }
    expect(checked).toBeGreaterThan(10);
  });

  it("honours every item dependency, including explicit dependsOn across layers", () => {
    const scrape: Bundle = {
      kind: "bundle",
      name: "backend-monitor",
      layer: "monitoring",
      namespace: "steady",
      dependsOn: ["kube-prometheus-stack", "backend"],
      objects: [{ apiVersion: "monitoring.coreos.com/v1", kind: "ServiceMonitor", metadata: { name: "backend" } }],
    };
    const items = [...ITEMS, scrape];
    for (const o of [fluxOrder(items), argoOrder(items)]) {
      const all = [...o.placed.values()];
      for (const b of all) {
        const before = transitivePrerequisites(items, b.order.item);
        for (const a of all.filter((x) => before.has(x.order.item))) expect([idOf(a), idOf(b), o.precedes(a, b)]).toEqual([idOf(a), idOf(b), true]);
      }
      const monitor = o.placed.get("backend-monitor:ServiceMonitor/backend")!;
      expect(o.precedes(o.placed.get("backend:Deployment/backend")!, monitor)).toBe(true);
    }
  });

  it("runs migrations before deployments and after the item's base objects", () => {
    for (const o of [flux, argo]) {
      const job = o.placed.get("backend:Job/backend-migration")!;
      expect(o.precedes(o.placed.get("backend:Service/backend")!, job)).toBe(true);
      expect(o.precedes(job, o.placed.get("backend:Deployment/backend")!)).toBe(true);
      expect(o.precedes(o.placed.get("backend:Deployment/backend")!, job)).toBe(false);
    }
  });

  it("keeps monitoring independent: nothing must come before it", () => {
    for (const o of [flux, argo]) {
      const all = [...o.placed.values()];
      const monitoring = all.filter((p) => p.order.layer === "monitoring");
      expect(monitoring.length).toBeGreaterThan(0);
      for (const m of monitoring) for (const other of all) expect([idOf(other), o.precedes(other, m)]).toEqual([idOf(other), false]);
    }
  });

  it("orders by need only: the issuers after cert-manager, the app after nothing it does not use", () => {
    for (const o of [flux, argo]) {
      const list = [...o.placed.values()];
      const pick = (item: string) => list.find((p) => p.order.item === item)!;
      expect(o.precedes(pick("cert-manager"), pick("issuers"))).toBe(true);
      expect(o.precedes(pick("backend"), pick("cert-manager"))).toBe(false);
    }
    // Flux: the backend's first unit waits for nothing (it creates its own namespace).
    expect(fluxUnits(ITEMS).find((u) => u.name === "backend")!.dependsOn).toEqual([]);
  });
});
