/**
 * Homepage (source document 004: the application dashboard) as static config: its YAML
 * files are an app-owned ConfigMap mounted file by file into `/app/config`. No Kubernetes
 * discovery and no widgets that call other services, so the pod gets no service account
 * token, no RBAC and no egress beyond DNS; 004's widget credentials (HOMEPAGE_VAR_*, a SOPS
 * Secret) are left out with the widgets.
 */
import { HOMEPAGE_IMAGES, parseHomepageSettings, type HomepageSettings } from "./settings";
import type { KubeObject } from "../../gitops/delivery";
import { defineApp } from "../types";
import type { AppSpec, ImageRef } from "../workload";
import { secretObjectName } from "../workload/secrets";

/** Homepage's HTTP port (Dockerfile `ENV PORT=3000`). */
export const HOMEPAGE_PORT = 3000;
/** Homepage reads its config from here (Dockerfile `mkdir config`; docs "Kubernetes Installation"). */
const CONFIG_DIR = "/app/config";
/** The config files the Kubernetes install docs mount, all of them so none is copied from the skeleton. */
export const HOMEPAGE_FILES = [
  "settings.yaml",
  "services.yaml",
  "bookmarks.yaml",
  "widgets.yaml",
  "docker.yaml",
  "kubernetes.yaml",
  "custom.css",
  "custom.js",
] as const;

/** The image's HEALTHCHECK command (Dockerfile), with the port spelled out. */
const healthcheck = [
  "wget",
  "--output-document=-",
  "--quiet",
  "--tries=1",
  `http://127.0.0.1:${HOMEPAGE_PORT}/api/healthcheck`,
];

function image(s: HomepageSettings): ImageRef {
  const ref = s.images.homepage;
  if (!ref) throw new Error("image homepage has no reference (config/apps/images.ts has a default)");
  return ref;
}

/** A YAML double-quoted scalar (JSON strings are valid YAML). */
const q = (text: string): string => JSON.stringify(text);

/** The config files (exported for tests): settings, service groups, the rest empty. */
export function homepageConfig(s: HomepageSettings): Record<(typeof HOMEPAGE_FILES)[number], string> {
  // services.yaml: a list of groups, each a list of `name: {href, description}` (docs "Services").
  const services = s.services
    .map(({ group, links }) =>
      [
        `- ${q(group)}:`,
        ...links.flatMap((l) => [
          `    - ${q(l.name)}:`,
          `        href: ${q(l.href)}`,
          ...(l.description ? [`        description: ${q(l.description)}`] : []),
        ]),
      ].join("\n"),
    )
    .join("\n");
  return {
    "settings.yaml": `title: ${q(s.title)}\n`,
    "services.yaml": services ? `${services}\n` : "[]\n",
    "bookmarks.yaml": "[]\n",
    "widgets.yaml": "[]\n",
    "docker.yaml": "",
    // Empty: no `mode: cluster`, so Homepage never talks to the Kubernetes API.
    "kubernetes.yaml": "",
    "custom.css": "",
    "custom.js": "",
  };
}

/** The spec, pure data (exported for tests and review). */
export function homepageSpec(s: HomepageSettings, domain: string): AppSpec {
  return {
    name: "homepage",
    controllers: {
      homepage: {
        type: "deployment",
        containers: {
          homepage: {
            image: image(s),
            ports: { http: HOMEPAGE_PORT },
            // Required since v1.0 to be reached on any host but localhost (docs "Installation",
            // HOMEPAGE_ALLOWED_HOSTS: comma-separated, no spaces).
            env: { HOMEPAGE_ALLOWED_HOSTS: `${s.host}.${domain}` },
            // The host check answers 400 to the kubelet's Host (the pod IP), so the probes run
            // the image's own HEALTHCHECK against 127.0.0.1, which is always allowed (src/middleware.js).
            probes: {
              liveness: { exec: healthcheck, periodSeconds: 30 },
              readiness: { exec: healthcheck },
            },
            resources: { cpu: "10m", memory: "128Mi", memoryLimit: "256Mi" },
            // The image's files belong to 1000:1000 (Dockerfile `COPY --chown=1000:1000`).
            runAsUser: 1000,
            // Homepage writes logs under /app/config/logs and copies skeleton files for any
            // missing config; Next.js caches under .next/cache.
            writablePaths: [CONFIG_DIR, "/app/.next/cache", "/tmp"],
            files: Object.fromEntries(
              HOMEPAGE_FILES.map((file) => [`${CONFIG_DIR}/${file}`, { configMap: "config", key: file }]),
            ),
          },
        },
      },
    },
    service: { ports: { http: HOMEPAGE_PORT } },
    // Homepage has no authentication of its own; Traefik's basicAuth asks first (settings.auth).
    route: { host: s.host, port: "http", ...(s.auth === "basic" ? { middlewares: [AUTH_MIDDLEWARE] } : {}) },
    configMaps: { config: homepageConfig(s) },
    ...(s.auth === "basic"
      ? {
          secrets: {
            "basic-auth": {
              type: "generated" as const,
              keys: { password: { length: 32 } },
              basicAuthUser: "admin",
            },
          },
        }
      : {}),
  };
}

/** The Traefik Middleware that asks for the basic-auth user before Homepage answers. */
export const AUTH_MIDDLEWARE = "homepage-auth";

/**
 * Traefik's basicAuth Middleware reading the generated `homepage-basic-auth` Secret: a Secret
 * of type kubernetes.io/basic-auth with `username` and `password` (Traefik docs "BasicAuth",
 * "Kubernetes kubernetes.io/basic-auth secret type").
 */
export function homepageAuthObjects(s: HomepageSettings): KubeObject[] {
  if (s.auth !== "basic") return [];
  return [
    {
      apiVersion: "traefik.io/v1alpha1",
      kind: "Middleware",
      metadata: { name: AUTH_MIDDLEWARE, namespace: s.namespace },
      spec: { basicAuth: { secret: secretObjectName("homepage", "basic-auth") } },
    },
  ];
}

/** Homepage on one cluster. */
export const homepageDefinition = defineApp<HomepageSettings>({
  name: "homepage",
  catalog: { description: "Application dashboard", source: "004", routes: "cluster" },
  images: HOMEPAGE_IMAGES,
  parse: parseHomepageSettings,
  build(ctx) {
    return {
      namespace: ctx.settings.namespace,
      specs: [homepageSpec(ctx.settings, ctx.cluster.domain)],
      objects: homepageAuthObjects(ctx.settings),
      waitingForImages: [],
      mainHost: ctx.settings.host,
    };
  },
});
