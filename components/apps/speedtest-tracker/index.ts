/**
 * Speedtest Tracker (source document 004: "Internet speed history with Grafana integration
 * (production only)") on PostgreSQL through a CloudNativePG database claim, in its own
 * namespace. Its only image is LinuxServer.io's (the upstream README: "The image is built by
 * LinuxServer.io"), which starts as root under s6-overlay: the init script chowns /config and
 * the app's cache directories, then runs artisan and the services as `abc` (PUID/PGID)
 * through s6-setuidgid (docker-speedtest-tracker, root/etc/s6-overlay/s6-rc.d/
 * init-speedtest-tracker-config/run). Pod Security Admission's restricted level refuses such
 * a pod, so the namespace enforces baseline and the container keeps only the capabilities
 * that start-up uses.
 */
import {
  SPEEDTEST_TRACKER_IMAGES,
  parseSpeedtestTrackerSettings,
  type SpeedtestTrackerSettings,
} from "./settings";
import { defineApp } from "../types";
import type { AppSpec, ImageRef } from "../workload";

/** nginx in the image listens on 80 (README "Parameters": `-p 80` Web UI). */
export const SPEEDTEST_TRACKER_PORT = 80;
/** The UID/GID `abc` is remapped to (PUID/PGID, "required" in the environment-variables docs). */
const PUID = 1000;

const STARTS_AS_ROOT =
  "the LinuxServer.io image starts as root under s6-overlay, chowns /config and its cache directories, and drops to abc (PUID) through s6-setuidgid (init-speedtest-tracker-config/run)";

function image(s: SpeedtestTrackerSettings): ImageRef {
  const ref = s.images["speedtest-tracker"];
  if (!ref) throw new Error("image speedtest-tracker has no reference (config/apps/images.ts has a default)");
  return ref;
}

/** The spec, pure data (exported for tests and review). */
export function speedtestTrackerSpec(s: SpeedtestTrackerSettings, domain: string): AppSpec {
  const url = `https://${s.host}.${domain}`;
  return {
    name: "speedtest-tracker",
    controllers: {
      "speedtest-tracker": {
        type: "deployment",
        containers: {
          "speedtest-tracker": {
            image: image(s),
            ports: { http: SPEEDTEST_TRACKER_PORT },
            // The docs' required variables (PUID, PGID, APP_KEY, APP_URL) and the database ones
            // of the LinuxServer README (DB_CONNECTION=pgsql, DB_HOST ... DB_PASSWORD, the
            // connection parts from the claim).
            env: {
              PUID: String(PUID),
              PGID: String(PUID),
              TZ: s.timezone,
              // Laravel's encryption key: with aes-256-cbc a key of 32 bytes is used as is
              // (laravel/framework Encrypter::supported); generated, kept in a live Secret.
              APP_KEY: { secret: "app", key: "key" },
              APP_URL: url,
              // "URL used for assets, needed when using a reverse proxy".
              ASSET_URL: url,
              DB_CONNECTION: "pgsql",
              ADMIN_EMAIL: s.adminEmail ?? `admin@${domain}`,
              // Without it the first admin gets the docs' default password ("password").
              ADMIN_PASSWORD: { secret: "app", key: "adminPassword" },
              SPEEDTEST_SCHEDULE: s.schedule,
              ...(s.servers ? { SPEEDTEST_SERVERS: s.servers } : {}),
              PRUNE_RESULTS_OLDER_THAN: String(s.pruneResultsOlderThanDays),
              DISPLAY_TIMEZONE: s.timezone,
            },
            // other/health-check.md: GET /api/healthcheck answers 200 once the app runs; the
            // start-up migrates the database first.
            probes: {
              startup: { http: "/api/healthcheck", port: "http", periodSeconds: 10, failureThreshold: 30 },
              liveness: { http: "/api/healthcheck", port: "http", periodSeconds: 30 },
              readiness: { http: "/api/healthcheck", port: "http" },
            },
            resources: { cpu: "100m", memory: "256Mi", memoryLimit: "512Mi" },
            // /config holds the copied .env, nginx and PHP logs; the results are in PostgreSQL.
            mounts: { "/config": "config" },
            security: {
              runAsNonRoot: { reason: STARTS_AS_ROOT },
              // The s6-overlay start as root needs CHOWN, DAC_OVERRIDE, FOWNER, SETUID and SETGID
              // (the set LinuxServer images run with under drop ALL, e.g. ionfury/homelab#516);
              // nginx binds :80 as root and s6 signals its services (KILL). All are in the
              // baseline profile's allowed list.
              capabilities: {
                reason: `${STARTS_AS_ROOT}; nginx binds port 80 as root`,
                add: ["CHOWN", "DAC_OVERRIDE", "FOWNER", "SETUID", "SETGID", "NET_BIND_SERVICE", "KILL"],
              },
              readOnlyRootFilesystem: {
                reason:
                  "s6-overlay writes /run, and the init script symlinks /app/www/.env and rebuilds the Laravel caches under /app/www at every start",
              },
            },
          },
        },
      },
    },
    service: { ports: { http: SPEEDTEST_TRACKER_PORT } },
    route: { host: s.host, port: "http" },
    persistence: { config: { type: "emptyDir", sizeLimit: "1Gi" } },
    secrets: {
      app: { type: "generated", keys: { key: { length: 32 }, adminPassword: { length: 32 } } },
    },
    database: {
      cluster: s.postgresCluster,
      // An identifier without a hyphen, so no SQL or DSN needs quoting.
      name: "speedtest_tracker",
      connectionEnv: {
        host: "DB_HOST",
        port: "DB_PORT",
        name: "DB_DATABASE",
        user: "DB_USERNAME",
        password: "DB_PASSWORD",
      },
    },
    // Ookla's servers test on 8080 and 5060, and the CLI reaches *.speedtest.net on 443
    // (support.ookla.com "Which Protocols and Ports am I Required to Use").
    internetEgress: [443, 5060, 8080],
  };
}

/** Speedtest Tracker on one cluster. */
export const speedtestTrackerDefinition = defineApp<SpeedtestTrackerSettings>({
  name: "speedtest-tracker",
  catalog: {
    description: "Internet speed history",
    source: "004",
    needsServices: ["cloudnative-pg"],
    routes: "cluster",
  },
  images: SPEEDTEST_TRACKER_IMAGES,
  parse: parseSpeedtestTrackerSettings,
  build(ctx) {
    return {
      namespace: ctx.settings.namespace,
      specs: [speedtestTrackerSpec(ctx.settings, ctx.cluster.domain)],
      waitingForImages: [],
      mainHost: ctx.settings.host,
      podSecurity: {
        level: "baseline",
        reason: `the Speedtest Tracker image must start as root: ${STARTS_AS_ROOT}`,
      },
    };
  },
});
