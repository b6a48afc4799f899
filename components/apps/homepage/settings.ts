/**
 * Typed settings of Homepage (source document 004: the application dashboard), read from
 * `platform:clusters.<cluster>.appSettings.homepage`. The dashboard is static config: no
 * Kubernetes discovery, so it needs no service account token or RBAC.
 */
import { BOTH, type ImageDefault } from "../../../config/apps/images";
import type { Reader } from "../../../config/reader";
import type { ClusterConfig } from "../../../config/types";
import { COMMON_FIELDS, parseHomelabCommon, type HomelabAppSettings } from "../homelab-settings";

// Homepage v1.10.1 (github.com/gethomepage/homepage/releases/tag/v1.10.1); images for
// linux/amd64 and linux/arm64 (.github/workflows/docker-publish.yml, build-push `platforms`).
export const HOMEPAGE_IMAGES = {
  homepage: {
    repository: "ghcr.io/gethomepage/homepage",
    // renovate: datasource=docker depName=ghcr.io/gethomepage/homepage versioning=docker
    tag: "v1.10.1",
    platforms: BOTH,
  },
} satisfies Readonly<Record<string, ImageDefault>>;

/** One link on the dashboard (Homepage `services.yaml`, https://gethomepage.dev/configs/services/). */
export interface HomepageLink {
  readonly name: string;
  readonly href: string;
  /** The line under the link's name. @default none */
  readonly description?: string;
}

export interface HomepageSettings extends HomelabAppSettings {
  /** Page title (`settings.yaml` `title`). @default `Homepage` */
  readonly title: string;
  /** Service groups in order: group name -> links. @default none */
  readonly services: readonly { readonly group: string; readonly links: readonly HomepageLink[] }[];
  /**
   * Homepage has no login of its own; with `basic`, Traefik asks for a user name and the
   * generated password (Secret `homepage-basic-auth`) before any request reaches it. `none`
   * opts out, for a page kept off the internet. @default "basic"
   */
  readonly auth: "basic" | "none";
}

const URL = { pattern: /^https?:\/\/\S+$/, expected: "an http(s) URL" };
const TEXT = { pattern: /^[^\n]{1,100}$/, expected: "one line of text" };

/** Parses `appSettings.homepage`. */
export function parseHomepageSettings(
  r: Reader,
  cluster: Pick<ClusterConfig, "architecture">,
): HomepageSettings {
  r.only([...COMMON_FIELDS, "title", "services", "auth"]);
  const groups = r.optionalObject("services");
  return {
    ...parseHomelabCommon(r, "homepage", HOMEPAGE_IMAGES, cluster),
    title: r.string("title", TEXT, "Homepage"),
    auth: r.string("auth", { oneOf: ["basic", "none"] as const }, "basic"),
    services: Object.keys(groups.value).map((group) => ({
      group,
      links: groups.list(group).map((link) => {
        link.only(["name", "href", "description"]);
        const description = link.optionalString("description", TEXT);
        return {
          name: link.string("name", TEXT),
          href: link.string("href", URL),
          ...(description ? { description } : {}),
        };
      }),
    })),
  };
}
