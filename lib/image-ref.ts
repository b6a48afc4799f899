/**
 * Container image references as users and CI write them (`registry/repository:tag`,
 * optionally `@sha256:<digest>`), in the grammar of distribution/reference
 * (reference/regexp.go: tags `[\w][\w.-]{0,127}`, path components
 * `[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*`, digests `sha256:<64 hex>`).
 */

/** A parsed, pinned reference. */
export interface ImageRef {
  readonly repository: string;
  readonly tag: string;
  /** `sha256:<64 hex>`, pinning the tag. @default none (the tag alone) */
  readonly digest?: string;
}

export const IMAGE_REFERENCE =
  /^(?:(?<host>[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::\d+)?)\/)?(?<path>[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)(?::(?<tag>[\w][\w.-]{0,127}))?(?:@(?<digest>sha256:[a-f0-9]{64}))?$/;

/** The repository part of a reference (everything before the tag and digest). */
export function repositoryOf(reference: string): string {
  const m = IMAGE_REFERENCE.exec(reference);
  if (!m?.groups) return reference;
  return m.groups["host"] ? `${m.groups["host"]}/${m.groups["path"]}` : m.groups["path"];
}

/**
 * Parses a pinned reference: a tag (never `latest`) is required, a digest optional.
 * Returns a message saying what is wrong instead of throwing.
 */
export function parseImageReference(reference: string): ImageRef | string {
  const m = IMAGE_REFERENCE.exec(reference);
  if (!m?.groups)
    return "not an image reference; write registry/repository:tag (optionally @sha256:<digest>)";
  const { tag, digest } = m.groups;
  if (!tag) return "has no tag; write the exact tag the image was built with (a digest may follow)";
  if (tag === "latest") return 'is not pinned: "latest" moves; write an exact version tag';
  return { repository: repositoryOf(reference), tag, ...(digest ? { digest } : {}) };
}

/** The reference text of a parsed image. */
export function formatImageReference(image: ImageRef): string {
  return `${image.repository}:${image.tag}${image.digest ? `@${image.digest}` : ""}`;
}
