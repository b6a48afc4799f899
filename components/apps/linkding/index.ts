/**
 * linkding (source document 004: the bookmark manager) on PostgreSQL through a CloudNativePG
 * database claim, in its own namespace, with a volume for its data directory. Options are
 * linkding's documented env vars (docs/src/content/docs/options.md).
 */
import { LINKDING_IMAGES, parseLinkdingSettings, type LinkdingSettings } from "./settings";
import { defineApp } from "../types";
import type { AppSpec, ImageRef } from "../workload";

/** linkding's HTTP port (`LD_SERVER_PORT`, default 9090). */
export const LINKDING_PORT = 9090;

function image(s: LinkdingSettings): ImageRef {
  const ref = s.images.linkding;
  if (!ref) throw new Error("image linkding has no reference (config/apps/images.ts has a default)");
  return ref;
}

const DROPS_PRIVILEGES =
  "bootstrap.sh chowns the data directory to www-data, then supervisord (user=root) and uwsgi (uid = www-data) drop to www-data themselves (bootstrap.sh, supervisord-tasks.conf, uwsgi.ini)";

/** The spec, pure data (exported for tests and review). */
export function linkdingSpec(s: LinkdingSettings, domain: string): AppSpec {
  return {
    name: "linkding",
    controllers: {
      // A StatefulSet, so an update stops the old pod before the new one mounts the
      // ReadWriteOnce volume (004 runs its apps with `strategy: Recreate` for the same reason).
      linkding: {
        type: "statefulset",
        volumeClaimTemplates: { data: { size: s.storageSize } },
        containers: {
          linkding: {
            image: image(s),
            ports: { http: LINKDING_PORT },
            env: {
              // options.md: LD_DB_ENGINE=postgres, and the password "must be configured when
              // using a database other than SQLite"; host, port, name and user come from the claim.
              LD_DB_ENGINE: "postgres",
              // 004 keeps the initial superuser in a SOPS Secret; here the password is generated.
              LD_SUPERUSER_NAME: s.superuserName,
              LD_SUPERUSER_PASSWORD: { secret: "superuser", key: "password" },
              // options.md LD_CSRF_TRUSTED_ORIGINS: logins fail with 403 when Traefik's Origin does not match.
              LD_CSRF_TRUSTED_ORIGINS: `https://${s.host}.${domain}`,
            },
            // The image's HEALTHCHECK: GET /health (docker/default.Dockerfile).
            probes: {
              startup: { http: "/health", port: "http", periodSeconds: 5, failureThreshold: 36 },
              liveness: { http: "/health", port: "http", periodSeconds: 30 },
              readiness: { http: "/health", port: "http" },
            },
            resources: { cpu: "100m", memory: "256Mi", memoryLimit: "512Mi" },
            mounts: { "/etc/linkding/data": "data" },
            security: {
              runAsNonRoot: { reason: `the image starts as root: ${DROPS_PRIVILEGES}` },
              capabilities: {
                reason: `to change owners and drop to www-data as root does: ${DROPS_PRIVILEGES}; DAC_OVERRIDE because from the second boot on data/ and huey's tasks.sqlite3 belong to www-data, and bootstrap.sh's manage.py steps (run as root, each opening that queue with a WAL pragma) fail with "attempt to write a readonly database" without it, skipping migrate on an upgrade (bootstrap.sh has no set -e; settings/base.py HUEY filename)`,
                add: ["CHOWN", "DAC_OVERRIDE", "SETUID", "SETGID"],
              },
              readOnlyRootFilesystem: {
                reason:
                  "supervisord writes /var/run/supervisor.sock and background_tasks.log beside the app in /etc/linkding (supervisord-tasks.conf)",
              },
            },
          },
        },
      },
    },
    service: { ports: { http: LINKDING_PORT } },
    route: { host: s.host, port: "http" },
    secrets: { superuser: { type: "generated", keys: { password: { length: 32 } } } },
    database: {
      cluster: s.postgresCluster,
      connectionEnv: {
        host: "LD_DB_HOST",
        port: "LD_DB_PORT",
        name: "LD_DB_DATABASE",
        user: "LD_DB_USER",
        password: "LD_DB_PASSWORD",
      },
    },
    // Titles, descriptions and favicons of bookmarked pages, and Wayback Machine snapshots.
    internetEgress: [80, 443],
  };
}

/** linkding on one cluster. */
export const linkdingDefinition = defineApp<LinkdingSettings>({
  name: "linkding",
  catalog: {
    description: "Bookmark manager",
    source: "004",
    needsServices: ["cloudnative-pg"],
    needsStorage: true,
    routes: "cluster",
  },
  images: LINKDING_IMAGES,
  parse: parseLinkdingSettings,
  build(ctx) {
    return {
      namespace: ctx.settings.namespace,
      specs: [linkdingSpec(ctx.settings, ctx.cluster.domain)],
      waitingForImages: [],
      mainHost: ctx.settings.host,
      podSecurity: { level: "baseline", reason: `the linkding image starts as root: ${DROPS_PRIVILEGES}` },
    };
  },
});
