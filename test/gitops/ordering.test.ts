import {
  LAYER_WAVE,
  SYNC_WAVE,
  fluxStages,
  mustPrecede,
  placeArgoCd,
  placeFlux,
  type PlacedObject,
} from "../../components/gitops";
import { ITEMS } from "./fixtures";

const idOf = (p: PlacedObject) => `${p.order.item}:${p.object.kind}/${p.object.metadata.name}`;

/** Flux: a before b when b's Kustomization depends (transitively) on a's. */
function fluxOrder() {
  const stages = fluxStages(ITEMS);
  const stageOf = (p: PlacedObject) =>
    stages.filter((s) => p.dir === s.dir || p.dir.startsWith(`${s.dir}/`)).sort((x, y) => y.dir.length - x.dir.length)[0];
  const closure = (name: string): Set<string> => {
    const out = new Set<string>();
    const walk = (n: string) => stages.find((s) => s.name === n)!.dependsOn.forEach((d) => (out.has(d) ? undefined : (out.add(d), walk(d))));
    walk(name);
    return out;
  };
  const placed = new Map(placeFlux(ITEMS).objects.map((p) => [idOf(p), p]));
  return { placed, precedes: (a: PlacedObject, b: PlacedObject) => closure(stageOf(b).name).has(stageOf(a).name) };
}

/** Argo CD: layers by ApplicationSet wave, objects of one app by their own wave. */
function argoOrder() {
  const wave = (p: PlacedObject) => Number(p.object.metadata.annotations?.[SYNC_WAVE] ?? "0");
  const placed = new Map(placeArgoCd(ITEMS).objects.map((p) => [idOf(p), p]));
  const precedes = (a: PlacedObject, b: PlacedObject) =>
    a.order.layer !== b.order.layer ? LAYER_WAVE[a.order.layer] < LAYER_WAVE[b.order.layer] : a.order.item === b.order.item && wave(a) < wave(b);
  return { placed, precedes };
}

describe("ordering is equivalent on Flux and Argo CD", () => {
  const flux = fluxOrder();
  const argo = argoOrder();
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
    const fluxAll = [...flux.placed.values()];
    const argoAll = [...argo.placed.values()];
    let checked = 0;
    for (const [all, o] of [[fluxAll, flux], [argoAll, argo]] as const) {
      for (const a of all) {
        for (const b of all) {
          if (!mustPrecede(a.order, b.order)) continue;
          checked++;
          expect([idOf(a), idOf(b), o.precedes(a, b)]).toEqual([idOf(a), idOf(b), true]);
        }
      }
    }
    expect(checked).toBeGreaterThan(10);
  });

  it("gives the same answer for every pair of bundle objects in one item or in chained layers", () => {
    for (const x of bundleIds)
      for (const y of bundleIds) {
        const [fa, fb, aa, ab] = [flux.placed.get(x)!, flux.placed.get(y)!, argo.placed.get(x)!, argo.placed.get(y)!];
        if (fa.order.item !== fb.order.item && fa.order.layer === fb.order.layer) continue;
        expect([x, y, flux.precedes(fa, fb)]).toEqual([x, y, argo.precedes(aa, ab)]);
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

  it("orders addon layers the same way (controllers before configs before apps)", () => {
    const f = [...flux.placed.values()];
    const a = [...argo.placed.values()];
    const pick = (list: PlacedObject[], item: string) => list.find((p) => p.order.item === item)!;
    for (const [o, list] of [[flux, f], [argo, a]] as const) {
      expect(o.precedes(pick(list, "cert-manager"), pick(list, "issuers"))).toBe(true);
      expect(o.precedes(pick(list, "issuers"), pick(list, "backend"))).toBe(true);
      expect(o.precedes(pick(list, "backend"), pick(list, "cert-manager"))).toBe(false);
    }
  });
});
