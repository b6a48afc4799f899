/**
 * CommaFeed (source document 004: the RSS reader) on PostgreSQL through a CloudNativePG
 * database claim, in its own namespace, behind the cluster's route on `<host>.<domain>`.
 * Env follows the image's docs (Athou/commafeed commafeed-server/src/main/docker/README.md).
 */
import { COMMAFEED_IMAGES, parseCommafeedSettings, type CommafeedSettings } from "./settings";
import { defineApp } from "../types";
import type { AppSpec, ImageRef } from "../workload";

/** CommaFeed's HTTP port (Dockerfile.native `EXPOSE 8082`). */
export const COMMAFEED_PORT = 8082;

function image(s: { images: Readonly<Record<string, ImageRef | undefined>> }, name: string): ImageRef {
  const ref = s.images[name];
  if (!ref) throw new Error(`image ${name} has no reference (config/apps/images.ts has a default)`);
  return ref;
}

/** The spec, pure data (exported for tests and review). */
export function commafeedSpec(s: CommafeedSettings): AppSpec {
  return {
    name: "commafeed",
    controllers: {
      commafeed: {
        type: "deployment",
        containers: {
          commafeed: {
            image: image(s, "commafeed"),
            ports: { http: COMMAFEED_PORT },
            env: {
              // The three settings the docker README's PostgreSQL example sets; the URL is built
              // from the claim's host, port and name (set before, so $(VAR) expands).
              QUARKUS_DATASOURCE_JDBC_URL:
                "jdbc:postgresql://$(COMMAFEED_DB_HOST):$(COMMAFEED_DB_PORT)/$(COMMAFEED_DB_NAME)",
              // The README: the session cookie key is random per start unless set (min. 16
              // characters), which logs everyone out on every restart.
              QUARKUS_HTTP_AUTH_SESSION_ENCRYPTION_KEY: { secret: "session", key: "encryptionKey" },
            },
            // No health endpoint on this image (004's deployment: /q/health answers 404), so the
            // web root; the first start runs the schema migrations, hence the startup budget.
            probes: {
              startup: { http: "/", port: "http", periodSeconds: 5, failureThreshold: 24 },
              liveness: { http: "/", port: "http", periodSeconds: 30 },
              readiness: { http: "/", port: "http" },
            },
            // 004: 100m / 256Mi requested, 512Mi limit; the README suggests a 256M limit for the native image.
            resources: { cpu: "100m", memory: "256Mi", memoryLimit: "512Mi" },
            // The image runs as root (Dockerfile.native has no USER); the native binary needs none,
            // so it runs as nobody (004 uses fsGroup 65534).
            runAsUser: 65534,
            // /tmp for Vert.x's file cache (Quarkus runs on Vert.x); /commafeed/data is the
            // image's data VOLUME, which only the H2 flavour fills.
            writablePaths: ["/tmp", "/commafeed/data"],
          },
        },
      },
    },
    service: { ports: { http: COMMAFEED_PORT } },
    route: { host: s.host, port: "http" },
    secrets: { session: { type: "generated", keys: { encryptionKey: { length: 32 } } } },
    database: {
      cluster: s.postgresCluster,
      connectionEnv: {
        host: "COMMAFEED_DB_HOST",
        port: "COMMAFEED_DB_PORT",
        name: "COMMAFEED_DB_NAME",
        user: "QUARKUS_DATASOURCE_USERNAME",
        password: "QUARKUS_DATASOURCE_PASSWORD",
      },
    },
    // Fetching feeds and favicons from the internet.
    internetEgress: [80, 443],
  };
}

/** CommaFeed on one cluster. */
export const commafeedDefinition = defineApp<CommafeedSettings>({
  name: "commafeed",
  catalog: {
    description: "RSS reader",
    source: "004",
    needsServices: ["cloudnative-pg"],
    routes: "cluster",
  },
  images: COMMAFEED_IMAGES,
  parse: parseCommafeedSettings,
  build(ctx) {
    return {
      namespace: ctx.settings.namespace,
      specs: [commafeedSpec(ctx.settings)],
      waitingForImages: [],
      mainHost: ctx.settings.host,
    };
  },
});
