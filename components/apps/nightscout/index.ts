/**
 * Nightscout (source document 004: "CGM remote monitoring (uses FerretDB for MongoDB
 * compatibility)"): cgm-remote-monitor on FerretDB, which stores into a CloudNativePG cluster
 * with the DocumentDB extension (the build marks FerretDB's database claim `documentdb`).
 */
import { NIGHTSCOUT_IMAGES, parseNightscoutSettings, type NightscoutSettings } from "./settings";
import { defineApp } from "../types";
import { databaseSecretName, type AppSpec, type ImageRef } from "../workload";

const FERRETDB_PORT = 27017;
/** cgm-remote-monitor README "Environment / Core": `PORT` (1337). */
const NIGHTSCOUT_PORT = 1337;

function imageOf(s: NightscoutSettings, name: string): ImageRef {
  const image = s.images[name];
  if (!image) throw new Error(`Nightscout: image ${name} has no reference (the table defaults it)`);
  return image;
}

/** The specs, pure data (exported for tests and review). */
export function nightscoutSpecs(s: NightscoutSettings, domain: string): AppSpec[] {
  // FerretDB v2 forwards client credentials to PostgreSQL (docs.ferretdb.io v2.7
  // "Authentication", enabled by default), so Nightscout logs in as FerretDB's own role.
  const pgUser = databaseSecretName("ferretdb");
  return [
    {
      name: "ferretdb",
      controllers: {
        ferretdb: {
          type: "deployment",
          containers: {
            ferretdb: {
              image: imageOf(s, "ferretdb"),
              ports: { mongodb: FERRETDB_PORT },
              // docs.ferretdb.io "Configuration flags": FERRETDB_POSTGRESQL_URL (from the claim
              // below); the Docker image listens on :27017 and keeps its state in /state.
              env: { FERRETDB_TELEMETRY: "disable" },
              probes: { liveness: { tcp: "mongodb" }, readiness: { tcp: "mongodb" } },
              resources: { cpu: "50m", memory: "128Mi", memoryLimit: "512Mi" },
              runAsUser: 1000, // any non-root UID: FerretDB is one static Go binary
              writablePaths: ["/state", "/tmp"],
            },
          },
        },
      },
      service: { ports: { mongodb: FERRETDB_PORT } },
      database: { cluster: s.postgresCluster, env: "FERRETDB_POSTGRESQL_URL" },
      calledBy: ["nightscout"],
    },
    {
      name: "nightscout",
      controllers: {
        nightscout: {
          type: "deployment",
          containers: {
            nightscout: {
              image: imageOf(s, "nightscout"),
              ports: { http: NIGHTSCOUT_PORT },
              // cgm-remote-monitor README "Environment / Required": MONGODB_URI, API_SECRET
              // (at least 12 characters), MONGODB_COLLECTION, DISPLAY_UNITS; MONGO_CONNECTION is
              // the older name of the URI some tools still read. The URI's credentials expand from
              // the two entries before it (Kubernetes dependent environment variables).
              env: {
                MONGO_USER: { secret: pgUser, key: "username" },
                MONGO_PASSWORD: { secret: pgUser, key: "password" },
                MONGODB_URI: `mongodb://$(MONGO_USER):$(MONGO_PASSWORD)@ferretdb:${FERRETDB_PORT}/nightscout`,
                MONGO_CONNECTION: `mongodb://$(MONGO_USER):$(MONGO_PASSWORD)@ferretdb:${FERRETDB_PORT}/nightscout`,
                API_SECRET: { secret: "api", key: "secret" },
                MONGODB_COLLECTION: "entries",
                DISPLAY_UNITS: s.displayUnits,
                BASE_URL: `https://${s.host}.${domain}`,
                // README "server settings": TLS ends at the ingress, so Nightscout itself must not
                // redirect plain HTTP (the kubelet probes and Traefik speak HTTP to the pod).
                INSECURE_USE_HTTP: "true",
                PORT: String(NIGHTSCOUT_PORT),
                // README "Features": without it the default `readable` lets anyone read the
                // glucose data; `denied` requires a token (settings.defaultRoles opts out).
                AUTH_DEFAULT_ROLES: s.defaultRoles,
              },
              probes: {
                // README "Nightscout API": server status at /api/v1/status.json.
                liveness: { http: "/api/v1/status.json", port: "http", initialDelaySeconds: 30 },
                readiness: { http: "/api/v1/status.json", port: "http" },
              },
              resources: { cpu: "100m", memory: "256Mi", memoryLimit: "768Mi" },
              runAsUser: 1000, // the `node` user of the Node base image (assumed: the image does not document its user)
              writablePaths: ["/tmp"],
            },
          },
        },
      },
      service: { ports: { http: NIGHTSCOUT_PORT } },
      route: { host: s.host, port: "http" },
      // Generated, alphanumeric, longer than the 12 characters the README requires.
      secrets: { api: { type: "generated", keys: { secret: { length: 32 } } } },
      talksTo: [{ app: "ferretdb", port: FERRETDB_PORT }],
      dependsOn: ["ferretdb"],
    },
  ];
}

/** Nightscout on one cluster. */
export const nightscoutDefinition = defineApp<NightscoutSettings>({
  name: "nightscout",
  catalog: {
    description: "CGM monitoring on FerretDB over CloudNativePG",
    source: "004",
    needsServices: ["cloudnative-pg"],
    needsStorage: true,
    routes: "cluster",
  },
  images: NIGHTSCOUT_IMAGES,
  parse: parseNightscoutSettings,
  build(ctx) {
    const s = ctx.settings;
    return {
      namespace: s.namespace,
      specs: nightscoutSpecs(s, ctx.cluster.domain),
      // FerretDB's cluster runs the DocumentDB image and its role joins the DocumentDB admin
      // role (components/platform/cloudnative-pg/cluster.ts `DOCUMENTDB`).
      databaseConsumers: { ferretdb: { documentdb: true } },
      waitingForImages: [],
      mainHost: s.host,
    };
  },
});
