/**
 * A custom app: a module outside the core that a stack enables by listing it in
 * `platform:appModules` (README "Add your own app"). It is a `defineApp` definition exactly
 * like a built-in app's (components/apps/<app>/), so it gets the same checks: its catalog
 * needs, the architectures its images publish, Pod Security, the capacity preflight and its
 * secrets.
 *
 * The app is traefik/whoami, a stateless web server that answers with what it received,
 * behind the cluster's ingress (Traefik with cert-manager TLS on K3s and k3d, the shared
 * Gateway on Talos).
 */
import { BOTH, type ImageDefault } from "../../config/apps/images";
import type { Reader } from "../../config/reader";
import type { ClusterConfig } from "../../config/types";
import {
  COMMON_FIELDS,
  parseHomelabCommon,
  type HomelabAppSettings,
} from "../../components/apps/homelab-settings";
import { defineApp } from "../../components/apps/types";
import type { AppSpec, ImageRef } from "../../components/apps/workload";

/** The port whoami listens on: its `WHOAMI_PORT_NUMBER` (app.go; 80 by default, root only). */
export const WHOAMI_PORT = 8080;

// whoami v1.11.0 (traefik/whoami release, 2025-03); .goreleaser.yml pushes the tag as a
// manifest of linux/amd64, linux/arm64 and linux/arm/v7 images.
export const WHOAMI_IMAGES = {
  whoami: {
    repository: "docker.io/traefik/whoami",
    // renovate: datasource=docker depName=docker.io/traefik/whoami versioning=docker
    tag: "v1.11.0",
    platforms: BOTH,
  },
} satisfies Readonly<Record<string, ImageDefault>>;

export interface WhoamiSettings extends HomelabAppSettings {
  /** The name whoami prints first in every answer (`WHOAMI_NAME`). @default the cluster's name */
  readonly name: string;
  /** Pods behind the route. @default 1 */
  readonly replicas: number;
}

/** Parses `platform:clusters.<cluster>.appSettings.whoami`. */
export function parseWhoamiSettings(r: Reader, cluster: ClusterConfig): WhoamiSettings {
  r.only([...COMMON_FIELDS, "name", "replicas"]);
  return {
    ...parseHomelabCommon(r, "whoami", WHOAMI_IMAGES, cluster),
    name: r.string("name", { pattern: /^[\w .-]{1,63}$/, expected: "a short name" }, cluster.name),
    replicas: r.integer("replicas", { min: 1, max: 10 }, 1),
  };
}

function image(s: WhoamiSettings): ImageRef {
  const ref = s.images.whoami;
  if (!ref) throw new Error("image whoami has no reference (WHOAMI_IMAGES has a default)");
  return ref;
}

/** The spec, pure data. */
export function whoamiSpec(s: WhoamiSettings): AppSpec {
  return {
    name: "whoami",
    controllers: {
      whoami: {
        type: "deployment",
        replicas: s.replicas,
        containers: {
          whoami: {
            image: image(s),
            ports: { http: WHOAMI_PORT },
            env: { WHOAMI_PORT_NUMBER: String(WHOAMI_PORT), WHOAMI_NAME: s.name },
            // GET /health answers 200 until someone POSTs another code (app.go healthHandler).
            probes: {
              liveness: { http: "/health", port: "http", periodSeconds: 30 },
              readiness: { http: "/health", port: "http" },
            },
            resources: { cpu: "10m", memory: "16Mi", memoryLimit: "32Mi" },
            // The image is FROM scratch with no USER (Dockerfile): any non-root UID runs it.
            runAsUser: 65532,
          },
        },
      },
    },
    service: { ports: { http: WHOAMI_PORT } },
    route: { host: s.host, port: "http" },
  };
}

/** whoami: what `platform:appModules` names, by the key `whoami`. */
export const whoamiDefinition = defineApp<WhoamiSettings>({
  name: "whoami",
  catalog: {
    description: "traefik/whoami: a stateless echo web server (the custom-app example)",
    source: "examples/custom-app",
    routes: "cluster",
  },
  images: WHOAMI_IMAGES,
  parse: parseWhoamiSettings,
  build(ctx) {
    return {
      namespace: ctx.settings.namespace,
      specs: [whoamiSpec(ctx.settings)],
      waitingForImages: [],
      mainHost: ctx.settings.host,
    };
  },
});
