/**
 * The images of apps: each app's definition lists its images with their default references
 * (one place per image, so a CI job or Renovate bumps one value); this module reads the
 * per-cluster overrides. A stack file overrides a reference per cluster under
 * `appSettings.<app>.images.<image>` (a reference string, the form the image_update flow of
 * source document 000 writes; tools/update-image.ts). Images a service's own CI builds have no
 * default tag: until their reference is set, the workloads that run them are left out and
 * listed as waiting for an image.
 *
 * `platforms` are the architectures the image publishes, as its release page or registry
 * lists them; an app is refused on a cluster whose architecture its images do not publish.
 */
import type { Architecture } from "../types";
import { parseImageReference, type ImageRef } from "../../lib/image-ref";
import { ConfigError, type Reader } from "../reader";

export interface ImageDefault {
  /**
   * Absent where the source document names no image (the reference is required config).
   * @default none
   */
  readonly repository?: string;
  /** Absent for images built by the app's own CI (their reference is required config). @default none */
  readonly tag?: string;
  /** `sha256:<64 hex>`, pinning the tag. @default none (the tag alone) */
  readonly digest?: string;
  /**
   * The image runs only pinned by digest (a source document requires it): without a known
   * digest the default waits like a CI-built image, and an override must carry one.
   * @default false
   */
  readonly digestRequired?: boolean;
  readonly platforms: readonly Architecture[];
}

/** Both architectures the program's clusters run. */
export const BOTH: readonly Architecture[] = ["amd64", "arm64"];

/** One app's images on one cluster: a reference, or `undefined` while CI has not set one. */
export type AppImages = Readonly<Record<string, ImageRef | undefined>>;

/**
 * Reads `appSettings.<app>.images` of a cluster: overrides on top of the defaults, each a
 * pinned reference; checks each image publishes the cluster's architecture.
 * @param r the reader of `appSettings.<app>`
 * @param defaults the app's images (its definition's `images`)
 */
export function parseAppImages(
  r: Reader,
  app: string,
  defaults: Readonly<Record<string, ImageDefault>>,
  architecture: Architecture,
): AppImages {
  const block = r.optionalObject("images").only(Object.keys(defaults));
  const out: Record<string, ImageRef | undefined> = {};
  for (const [name, d] of Object.entries(defaults)) {
    const key = block.key(name);
    let image: ImageRef | undefined;
    if (block.has(name)) {
      const text = block.string(name, {});
      const parsed = parseImageReference(text);
      if (typeof parsed === "string") throw new ConfigError(key, text, parsed);
      image = parsed;
      if (d.digestRequired && image.digest === undefined)
        throw new ConfigError(key, text, "must be pinned by digest: append @sha256:<digest>");
    } else if (
      d.tag !== undefined &&
      d.repository !== undefined &&
      (!d.digestRequired || d.digest !== undefined)
    ) {
      image = { repository: d.repository, tag: d.tag, ...(d.digest ? { digest: d.digest } : {}) };
    }
    // The declared platforms belong to the default repository; another repository is the
    // operator's to vouch for.
    if (image && image.repository === d.repository && !d.platforms.includes(architecture)) {
      throw new ConfigError(
        key,
        image.repository,
        `publishes ${d.platforms.join(", ")} only, not ${architecture}; run ${app} on an ${d.platforms.join(" or ")} cluster, or set an image built for ${architecture}`,
      );
    }
    out[name] = image;
  }
  return out;
}

/**
 * The images of an app that have no reference on a cluster yet (no default, nothing set):
 * read from the raw `appSettings.<app>` block, for summaries that run before the program.
 */
export function imagesWaiting(
  images: Readonly<Record<string, ImageDefault>>,
  rawSettings: unknown,
): string[] {
  const raw = (rawSettings as { images?: Record<string, unknown> } | undefined)?.images ?? {};
  return Object.entries(images)
    .filter(
      ([name, d]) =>
        (d.tag === undefined || (d.digestRequired === true && d.digest === undefined)) &&
        raw[name] === undefined,
    )
    .map(([name]) => name);
}
