/**
 * Which Kubernetes minors each pinned Talos-side component supports, checked before anything
 * exists so a version bump cannot produce a cluster whose CNI, CCM or CSI was never tested
 * with its Kubernetes.
 *
 * Sources: Talos support matrix (v1.11: Kubernetes 1.29-1.34; v1.10: 1.28-1.33); Cilium
 * "Kubernetes Compatibility" (1.18 tested on 1.30-1.33); the Hetzner CCM and CSI driver
 * READMEs' versioning policy (the latest three Kubernetes minors at release: CCM 1.26 and
 * CSI 2.16 up to 1.33, CSI 2.17 adds 1.34; the CSI CHANGELOG for 2.18 and 2.19), as reviewed
 * for issue 8.
 */
import type { Versions } from "../../../config/types";

/** Inclusive Kubernetes minor range, e.g. ["1.30", "1.33"]. */
type Range = readonly [string, string];

/** Component minor -> the Kubernetes minors it supports. */
export const KUBERNETES_SUPPORT: Readonly<
  Record<"talos" | "cilium" | "hcloudCcm" | "hcloudCsi", Readonly<Record<string, Range>>>
> = {
  talos: { "1.10": ["1.28", "1.33"], "1.11": ["1.29", "1.34"] },
  cilium: { "1.17": ["1.29", "1.32"], "1.18": ["1.30", "1.33"] },
  hcloudCcm: { "1.25": ["1.30", "1.32"], "1.26": ["1.31", "1.33"] },
  hcloudCsi: {
    "2.15": ["1.30", "1.32"],
    "2.16": ["1.31", "1.33"],
    "2.17": ["1.32", "1.34"],
    // CHANGELOG: 2.18.0 "support Kubernetes v1.34"; 2.18.2 "drop Kubernetes v1.31 support";
    // 2.19.0 "support Kubernetes v1.35" (three minors, the README's policy).
    "2.18": ["1.32", "1.34"],
    "2.19": ["1.33", "1.35"],
  },
};

/** `major.minor` of a version such as `v1.33.5`. */
export function minorOf(version: string): string {
  return version.replace(/^v/, "").split(".").slice(0, 2).join(".");
}

function compareMinor(a: string, b: string): number {
  const [a1, a2] = a.split(".").map(Number);
  const [b1, b2] = b.split(".").map(Number);
  return a1 - b1 || a2 - b2;
}

/** Every incompatibility between the pinned Kubernetes and the Talos-side components. */
export function kubernetesCompatibility(versions: Versions): string[] {
  const k8s = minorOf(versions.kubernetes);
  const problems: string[] = [];
  for (const [key, table] of Object.entries(KUBERNETES_SUPPORT) as [
    keyof typeof KUBERNETES_SUPPORT,
    Readonly<Record<string, Range>>,
  ][]) {
    const minor = minorOf(versions[key]);
    const range = table[minor];
    if (!range) {
      problems.push(
        `versions.${key}: "${versions[key]}" has no known Kubernetes support range (known: ${Object.keys(table).join(", ")}); pin one of those or extend components/cluster/talos/compat.ts with its documented range`,
      );
      continue;
    }
    if (compareMinor(k8s, range[0]) < 0 || compareMinor(k8s, range[1]) > 0) {
      problems.push(
        `versions.kubernetes: "${versions.kubernetes}" is outside what ${key} ${versions[key]} supports (Kubernetes ${range[0]} to ${range[1]}); pin Kubernetes in that range or a ${key} that supports ${k8s}`,
      );
    }
  }
  return problems;
}
