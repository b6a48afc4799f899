/** Mastodon's datastores: Redis and a single-node Elasticsearch, StatefulSets in the `base` phase. */
import type { AppSpec } from "../workload";
import { MASTODON_CRITICAL, REDIS, SEARCH } from "./names";
import { imageOf } from "./parts";
import type { MastodonSettings } from "./settings";

/** Redis (IaC redis-statefulset.yaml). */
export function redisSpec(s: MastodonSettings): AppSpec {
  return {
    name: REDIS,
    controllers: {
      [REDIS]: {
        type: "statefulset",
        phase: "base",
        // IaC redis-statefulset.yaml: redis-data 8Gi, requests 500m/512Mi, limit 1Gi.
        volumeClaimTemplates: { data: { size: "8Gi" } },
        containers: {
          redis: {
            image: imageOf(s, "redis"),
            args: ["--dir", "/data", "--appendonly", "yes"],
            ports: { redis: 6379 },
            probes: { liveness: { tcp: "redis" }, readiness: { exec: ["redis-cli", "ping"] } },
            resources: { cpu: "500m", memory: "512Mi", memoryLimit: "1Gi" },
            // docker-library redis alpine: addgroup -S -g 1000 redis; adduser -S -G redis -u 999 redis.
            runAsUser: 999,
            runAsGroup: 1000,
            mounts: { "/data": "data" },
          },
        },
      },
    },
    service: { ports: { redis: 6379 } },
    priorityClassName: MASTODON_CRITICAL,
  };
}

/** Elasticsearch (IaC search-cluster.yaml) with a generated `elastic` password. */
export function elasticsearchSpec(s: MastodonSettings): AppSpec {
  return {
    name: SEARCH,
    controllers: {
      [SEARCH]: {
        type: "statefulset",
        phase: "base",
        // IaC search-cluster.yaml: one node, 10Gi, requests 200m/4Gi, limit 4Gi.
        volumeClaimTemplates: { data: { size: "10Gi" } },
        containers: {
          elasticsearch: {
            image: imageOf(s, "elasticsearch"),
            ports: { http: 9200 },
            // Elasticsearch Docker docs: settings as env; ELASTIC_PASSWORD sets the `elastic`
            // user's password. One node, security on, HTTP and transport TLS off (traffic
            // stays in the namespace); no mmap, so no vm.max_map_count sysctl on the node
            // (Elasticsearch "Virtual memory": node.store.allow_mmap).
            env: {
              "discovery.type": "single-node",
              "xpack.security.enabled": "true",
              "xpack.security.http.ssl.enabled": "false",
              "xpack.security.transport.ssl.enabled": "false",
              "node.store.allow_mmap": "false",
              ELASTIC_PASSWORD: { secret: "auth", key: "password" },
            },
            probes: {
              // HTTP needs credentials; a TCP connect on the HTTP port means it is serving.
              liveness: { tcp: "http", periodSeconds: 20 },
              readiness: { tcp: "http" },
              startup: { tcp: "http", periodSeconds: 10, failureThreshold: 30 },
            },
            resources: { cpu: "200m", memory: "4Gi" },
            // The image's `elasticsearch` user (docker-library elasticsearch: groupadd -g 1000
            // elasticsearch; adduser --uid 1000 --gid 1000).
            runAsUser: 1000,
            mounts: { "/usr/share/elasticsearch/data": "data" },
            security: {
              readOnlyRootFilesystem: {
                reason:
                  "the Elasticsearch entrypoint writes the keystore and settings into config/ and logs/, which the image owns for that (chown elasticsearch bin config data logs plugins)",
              },
            },
          },
        },
      },
    },
    service: { ports: { http: 9200 } },
    secrets: { auth: { type: "generated", keys: { password: { length: 32 } } } },
    priorityClassName: MASTODON_CRITICAL,
  };
}
