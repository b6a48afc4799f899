/**
 * pgAdmin (source document 004: "PostgreSQL administration (production only)"): the
 * dpage/pgadmin4 image in server mode, its first administrator's password generated, egress to
 * the CloudNativePG clusters its settings list (`databases`) and no other. Env from pgAdmin "Container Deployment" and the
 * image's pkg/docker/entrypoint.sh.
 */
import { PGADMIN_IMAGES, parsePgadminSettings, type PgadminSettings } from "./settings";
import { defineApp } from "../types";
import type { AppSpec, DatabaseRef, ImageRef, NetworkPolicyEgressRule } from "../workload";

/** PGADMIN_LISTEN_PORT: an unprivileged port (entrypoint.sh binds `${PGADMIN_LISTEN_PORT:-80}`). */
const PORT = 8080;

function imageOf(s: PgadminSettings): ImageRef {
  const image = s.images.pgadmin;
  if (!image) throw new Error("pgAdmin: image pgadmin has no reference (the table defaults it)");
  return image;
}

/**
 * Egress to the PostgreSQL port of exactly the CloudNativePG clusters pgAdmin is given (no
 * wildcard); their own policies admit it for the same list (`databaseClients` of the build).
 */
export function databaseEgress(databases: readonly DatabaseRef[]): NetworkPolicyEgressRule {
  return {
    to: databases.map((db) => ({
      namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": db.namespace } },
      podSelector: { matchLabels: { "cnpg.io/cluster": db.cluster } },
    })),
    ports: [{ protocol: "TCP", port: 5432 }],
  };
}

/** The spec, pure data (exported for tests and review). */
export function pgadminSpecs(s: PgadminSettings, domain: string): AppSpec[] {
  return [
    {
      name: "pgadmin",
      controllers: {
        pgadmin: {
          type: "deployment",
          containers: {
            pgadmin: {
              image: imageOf(s),
              ports: { http: PORT },
              // "Container Deployment": PGADMIN_DEFAULT_EMAIL and PGADMIN_DEFAULT_PASSWORD are
              // required on first launch (entrypoint.sh exits without them).
              env: {
                PGADMIN_DEFAULT_EMAIL: s.email ?? `admin@${domain}`,
                PGADMIN_DEFAULT_PASSWORD: { secret: "admin", key: "password" },
                PGADMIN_LISTEN_PORT: String(PORT),
                // entrypoint.sh starts Postfix through sudo unless this is set; sudo cannot
                // raise privileges here (no privilege escalation), and pgAdmin sends no mail.
                PGADMIN_DISABLE_POSTFIX: "true",
              },
              probes: {
                liveness: { tcp: "http", initialDelaySeconds: 30 },
                readiness: { tcp: "http" },
                startup: { tcp: "http", failureThreshold: 30 },
              },
              resources: { cpu: "50m", memory: "256Mi", memoryLimit: "512Mi" },
              // pkg/docker/Dockerfile: `useradd -r -u 5050 -g root pgadmin`, `USER 5050`.
              runAsUser: 5050,
              mounts: { "/var/lib/pgadmin": "data" },
              writablePaths: ["/tmp"],
              security: {
                readOnlyRootFilesystem: {
                  reason:
                    "pgAdmin's entrypoint.sh writes /pgadmin4/config_distro.py on first launch, inside the application directory (the Dockerfile makes that one file writable for uid 5050)",
                },
                capabilities: {
                  reason:
                    "the image's python3 carries the file capability CAP_NET_BIND_SERVICE=+eip (Dockerfile setcap); exec fails unless it is in the bounding set. It listens on 8080 and needs no privilege",
                  add: ["NET_BIND_SERVICE"],
                },
              },
            },
          },
        },
      },
      service: { ports: { http: PORT } },
      route: { host: s.host, port: "http" },
      persistence: { data: { type: "pvc", size: s.storageSize } },
      secrets: { admin: { type: "generated", keys: { password: { length: 32 } } } },
      ...(s.databases.length ? { extraEgress: [databaseEgress(s.databases)] } : {}),
    },
  ];
}

/** pgAdmin on one cluster. */
export const pgadminDefinition = defineApp<PgadminSettings>({
  name: "pgadmin",
  catalog: {
    description: "PostgreSQL administration",
    source: "004",
    needsServices: ["cloudnative-pg"],
    needsStorage: true,
    routes: "cluster",
  },
  images: PGADMIN_IMAGES,
  parse: parsePgadminSettings,
  build(ctx) {
    const s = ctx.settings;
    return {
      namespace: s.namespace,
      specs: pgadminSpecs(s, ctx.cluster.domain),
      databaseClients: { setting: "databases", specs: { pgadmin: s.databases } },
      waitingForImages: [],
      mainHost: s.host,
    };
  },
});
