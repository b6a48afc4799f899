/** Mastodon's four Sidekiq workers and the queue-latency HPAs of two of them (002). */
import type { AppSpec, Autoscaling, ContainerSpec } from "../workload";
import { RAILS_ENV_GROUPS } from "./env";
import { CORE, MASTODON_HIGH, MASTODON_METRICS_PORT } from "./names";
import type { MastodonParts } from "./parts";

const SIDEKIQ_ALIVE = ["sh", "-c", "ps aux | grep '[s]idekiq 8'"];

/** One Sidekiq Deployment (IaC sidekiq-*-deployment.yaml: queues, concurrency, resources). */
function sidekiq(
  p: MastodonParts,
  queue: string,
  queues: readonly string[],
  concurrency: number,
  resources: ContainerSpec["resources"],
  autoscaling?: Autoscaling,
): AppSpec {
  const { rails, own, secretEnv, esPass, database, stores, internetWithMail } = p;
  const name = `mastodon-sidekiq-${queue}`;
  return {
    name,
    controllers: {
      [name]: {
        type: "deployment",
        ...(autoscaling ? { autoscaling } : { replicas: 1 }),
        containers: {
          sidekiq: rails({
            command: [
              "bundle",
              "exec",
              "sidekiq",
              ...queues.flatMap((q) => ["-q", q]),
              "-c",
              String(concurrency),
            ],
            ports: { metrics: MASTODON_METRICS_PORT },
            env: { ...secretEnv, ...esPass, DB_POOL: String(concurrency) },
            envFromConfigMaps: [...RAILS_ENV_GROUPS, "sidekiq"],
            // IaC: the process title carries the Sidekiq major version ("sidekiq 8"); a worker
            // serves no traffic, so ready means the same as alive.
            probes: {
              liveness: { exec: SIDEKIQ_ALIVE, initialDelaySeconds: 60, periodSeconds: 30 },
              readiness: { exec: SIDEKIQ_ALIVE, initialDelaySeconds: 20, periodSeconds: 30 },
            },
            resources,
          }),
        },
      },
    },
    configMaps: own(...RAILS_ENV_GROUPS, "sidekiq"),
    // Each process reports the latency of its own queues (Mastodon config/initializers/sidekiq.rb),
    // so every worker is scraped.
    service: { ports: { metrics: MASTODON_METRICS_PORT } },
    metrics: { port: "metrics" },
    database,
    talksTo: stores,
    internetEgress: internetWithMail,
    priorityClassName: MASTODON_HIGH,
    dependsOn: [CORE],
  };
}

/** An HPA on the latency of one queue, 1-3 pods, scaling down one pod a minute. */
function latency(
  queue: string,
  seconds: string,
  up: Autoscaling["scaleUp"],
  downWindow: number,
): Autoscaling {
  return {
    min: 1,
    max: 3,
    custom: [
      { type: "External", metric: "sidekiq_queue_latency_seconds", value: seconds, selector: { queue } },
    ],
    scaleUp: up,
    // IaC leaves the scale-down policy at the Kubernetes default; one pod a minute here.
    scaleDown: {
      stabilizationSeconds: downWindow,
      policies: [{ type: "Pods", value: 1, periodSeconds: 60 }],
    },
  };
}

/** The Sidekiq Deployments: default, federation, background and scheduler. */
export function sidekiqSpecs(p: MastodonParts): AppSpec[] {
  return [
    // 002: default 1-3 on queue latency > 10 s (IaC: +1 pod / 30 s after 60 s, 300 s down).
    sidekiq(
      p,
      "default",
      ["default"],
      15,
      { cpu: "500m", memory: "800Mi", memoryLimit: "1228Mi" },
      latency(
        "default",
        "10",
        { stabilizationSeconds: 60, policies: [{ type: "Pods", value: 1, periodSeconds: 30 }] },
        300,
      ),
    ),
    // 002: federation 1-3 on latency > 30 s of the push queue (IaC: +1 / 45 s after 90 s, 600 s down).
    sidekiq(
      p,
      "federation",
      ["push", "ingress"],
      20,
      { cpu: "400m", memory: "1Gi", memoryLimit: "1536Mi" },
      latency(
        "push",
        "30",
        { stabilizationSeconds: 90, policies: [{ type: "Pods", value: 1, periodSeconds: 45 }] },
        600,
      ),
    ),
    // 002: background and scheduler, one replica each.
    sidekiq(p, "background", ["pull", "mailers", "fasp"], 10, {
      cpu: "200m",
      memory: "500Mi",
      memoryLimit: "800Mi",
    }),
    sidekiq(p, "scheduler", ["scheduler"], 5, { cpu: "100m", memory: "300Mi", memoryLimit: "500Mi" }),
  ];
}
