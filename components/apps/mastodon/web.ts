/** Mastodon's web (Puma) and streaming Deployments, their routes, metrics and HPAs. */
import type { AppSpec, Autoscaling } from "../workload";
import { RAILS_ENV_GROUPS } from "./env";
import { CORE, MASTODON_HIGH, MASTODON_METRICS_PORT, REDIS, STREAMING, WEB } from "./names";
import { imageOf, type MastodonParts } from "./parts";

/** Scale-up/down of 002's web HPA (+2 pods / 30 s after 30 s, -1 pod / 60 s after 180 s). */
const WEB_SCALING: Pick<Autoscaling, "scaleUp" | "scaleDown"> = {
  scaleUp: { stabilizationSeconds: 30, policies: [{ type: "Pods", value: 2, periodSeconds: 30 }] },
  scaleDown: { stabilizationSeconds: 180, policies: [{ type: "Pods", value: 1, periodSeconds: 60 }] },
};

/** Web (Puma): the route's `/`, scaled on p95 queue time, backlog and memory (002). */
export function webSpec(p: MastodonParts): AppSpec {
  const { settings: s, rails, own, database, stores, internet } = p;
  return {
    name: WEB,
    controllers: {
      [WEB]: {
        type: "deployment",
        // 002 "Mastodon Autoscaling Strategy": p95 queue time > 35 ms or backlog > 3, memory 80 %.
        autoscaling: {
          min: 2,
          max: 4,
          memory: 80,
          custom: [
            {
              type: "External",
              metric: "ruby_http_request_queue_duration_seconds_p95",
              value: "35m",
              selector: { job: WEB },
            },
            { type: "External", metric: "ruby_puma_request_backlog", value: "3", selector: { job: WEB } },
          ],
          ...WEB_SCALING,
        },
        containers: {
          web: rails({
            command: ["bundle", "exec", "puma", "-C", "config/puma.rb"],
            ports: { http: 3000, metrics: MASTODON_METRICS_PORT },
            envFromConfigMaps: [...RAILS_ENV_GROUPS, "web"],
            // IaC web-deployment.yaml probes and resources.
            probes: {
              startup: { http: "/health", port: "http", periodSeconds: 10, failureThreshold: 18 },
              readiness: { http: "/health", port: "http", periodSeconds: 10 },
              liveness: { http: "/health", port: "http", periodSeconds: 30, failureThreshold: 5 },
            },
            resources: { cpu: "683m", memory: "2271Mi", memoryLimit: "2750Mi" },
          }),
        },
      },
    },
    configMaps: own(...RAILS_ENV_GROUPS, "web"),
    service: { ports: { http: 3000, metrics: MASTODON_METRICS_PORT } },
    route: { host: s.host, port: "http", path: "/" },
    metrics: { port: "metrics" },
    database,
    talksTo: stores,
    internetEgress: internet,
    priorityClassName: MASTODON_HIGH,
    dependsOn: [CORE],
  };
}

/** The streaming server: `/api/v1/streaming` on the same host, scaled on connected clients. */
export function streamingSpec(p: MastodonParts): AppSpec {
  const { settings: s, own, database } = p;
  return {
    name: STREAMING,
    controllers: {
      [STREAMING]: {
        type: "deployment",
        // 002: ~200 connected clients per pod, 1-3 replicas; IaC streaming-hpa.yaml behaviour.
        autoscaling: {
          min: 1,
          max: 3,
          custom: [{ type: "External", metric: "mastodon_streaming_connected_clients", averageValue: "200" }],
          scaleUp: { stabilizationSeconds: 30, policies: [{ type: "Pods", value: 2, periodSeconds: 30 }] },
          scaleDown: {
            stabilizationSeconds: 300,
            policies: [{ type: "Pods", value: 1, periodSeconds: 120 }],
          },
        },
        containers: {
          streaming: {
            image: imageOf(s, "streaming"),
            command: ["node", "./streaming/index.js"],
            ports: { streaming: 4000 },
            // Streaming reads only the database, Redis and its port: no app secrets.
            envFromConfigMaps: ["core", "database", "redis", "streaming"],
            probes: {
              liveness: { http: "/api/v1/streaming/health", port: "streaming", periodSeconds: 15 },
              readiness: { http: "/api/v1/streaming/health", port: "streaming", periodSeconds: 15 },
            },
            // IaC streaming-deployment.yaml.
            resources: { cpu: "21m", memory: "100Mi" },
            // mastodon/mastodon streaming/Dockerfile: ARG UID="991", USER mastodon.
            runAsUser: 991,
          },
        },
      },
    },
    configMaps: own("core", "database", "redis", "streaming"),
    service: { ports: { streaming: 4000 } },
    // 002: `/api/v1/streaming` -> mastodon-streaming:4000 on the same host as web.
    route: { host: s.host, port: "streaming", path: "/api/v1/streaming" },
    // The streaming server serves Prometheus metrics on /metrics of its own port
    // (docs.joinmastodon.org "Scaling": mastodon_streaming_connected_clients).
    metrics: { port: "streaming" },
    database,
    talksTo: [{ app: REDIS, port: 6379 }],
    priorityClassName: MASTODON_HIGH,
    dependsOn: [CORE],
  };
}
