/**
 * cortex-api (source document 003): one pod of four containers (cortex-api, redis-proxy,
 * exporter-merger, chrome-devtools-protocol-server), every one with a read-only root
 * filesystem, behind the Istio ingress gateway with STRICT mTLS and JWT validation, its
 * GitHub, OpenAI, Slack and Google credentials from Vault through External Secrets.
 */
import {
  CORTEX_API_IMAGES,
  parseCortexApiSettings,
  type CortexApiSettings,
  type CortexContainer,
} from "./settings";
import { defineApp } from "../types";
import type { AppSpec, ContainerSpec, ImageRef } from "../workload";

/** Where the Google service-account key is mounted (GOOGLE_APPLICATION_CREDENTIALS). */
export const GOOGLE_KEY_PATH = "/var/run/secrets/google/key.json";

/** The spec, pure data; `undefined` while an image is not set. */
export function cortexApiSpec(s: CortexApiSettings, images: Readonly<Record<string, ImageRef>>): AppSpec {
  const small = { cpu: "50m", memory: "64Mi", memoryLimit: "128Mi" };
  const sidecar = (
    name: keyof typeof s.sidecars,
    c: CortexContainer,
    extra: Partial<ContainerSpec> = {},
  ) => ({
    image: images[name],
    ports: { [portName(name)]: c.port },
    ...(c.args.length ? { args: [...c.args] } : {}),
    ...(Object.keys(c.env).length ? { env: { ...c.env } } : {}),
    probes: {
      liveness: { tcp: portName(name) },
      readiness: { tcp: portName(name) },
    },
    resources: small,
    // Any non-root UID: the images are the operator's; the root filesystem stays read-only.
    runAsUser: 65532,
    writablePaths: ["/tmp"],
    ...extra,
  });
  return {
    name: "cortex-api",
    controllers: {
      "cortex-api": {
        type: "deployment",
        autoscaling: { min: s.autoscaling.min, max: s.autoscaling.max, cpu: s.autoscaling.cpu },
        containers: {
          "cortex-api": {
            image: images["cortex-api"],
            ports: { http: s.api.port },
            ...(s.api.args.length ? { args: [...s.api.args] } : {}),
            env: {
              ...s.api.env,
              // Document 003, "Secret Management": GitHub, OpenAI, Slack and Google credentials.
              GITHUB_TOKEN: { secret: "credentials", key: "github-token" },
              OPENAI_API_KEY: { secret: "credentials", key: "openai-api-key" },
              SLACK_BOT_TOKEN: { secret: "credentials", key: "slack-bot-token" },
              SLACK_SIGNING_SECRET: { secret: "credentials", key: "slack-signing-secret" },
              // Google client libraries read the key file named here (Application Default Credentials).
              GOOGLE_APPLICATION_CREDENTIALS: GOOGLE_KEY_PATH,
              // The sidecars share the pod's network namespace.
              REDIS_HOST: "127.0.0.1",
              REDIS_PORT: String(s.sidecars["redis-proxy"].port),
              CHROME_DEVTOOLS_URL: `http://127.0.0.1:${s.sidecars["chrome-devtools-protocol-server"].port}`,
            },
            files: { [GOOGLE_KEY_PATH]: { secret: "credentials", key: "google-service-account.json" } },
            probes: {
              liveness: { http: s.api.livenessPath, port: "http" },
              readiness: { http: s.api.readinessPath, port: "http" },
            },
            resources: { cpu: "250m", memory: "512Mi", memoryLimit: "1Gi" },
            runAsUser: 65532,
            writablePaths: ["/tmp"],
          },
          "redis-proxy": sidecar("redis-proxy", s.sidecars["redis-proxy"]),
          "exporter-merger": sidecar("exporter-merger", s.sidecars["exporter-merger"]),
          "chrome-devtools-protocol-server": sidecar(
            "chrome-devtools-protocol-server",
            s.sidecars["chrome-devtools-protocol-server"],
            {
              // A browser needs memory and a writable profile and shared-memory directory.
              resources: { cpu: "250m", memory: "512Mi", memoryLimit: "1Gi" },
              writablePaths: ["/tmp", "/dev/shm"],
            },
          ),
        },
      },
    },
    service: { ports: { http: s.api.port, metrics: s.sidecars["exporter-merger"].port } },
    route: { host: s.host, port: "http" },
    secrets: {
      credentials: {
        type: "external",
        store: "vault-backend",
        keys: Object.fromEntries(
          [
            "github-token",
            "openai-api-key",
            "slack-bot-token",
            "slack-signing-secret",
            "google-service-account.json",
          ].map((k) => [k, { remoteKey: s.vaultPath, property: k }]),
        ),
      },
    },
    // GitHub, OpenAI, Slack and Google APIs, and the proxied Redis, are outside the cluster.
    internetEgress: [443, s.sidecars["redis-proxy"].port],
    metrics: { port: "metrics" },
    mesh: { ...(s.jwt ? { jwt: s.jwt } : {}) },
  };
}

function portName(container: string): string {
  return { "redis-proxy": "redis", "exporter-merger": "metrics", "chrome-devtools-protocol-server": "cdp" }[
    container
  ]!;
}

export const cortexApiDefinition = defineApp<CortexApiSettings>({
  name: "cortex-api",
  catalog: {
    description: "OpenAI-compatible API: 4-container pod behind Istio",
    source: "003",
    // cert-manager issues the Istio gateway's TLS certificate.
    needsServices: ["istio", "external-secrets", "cert-manager"],
    routes: "istio",
    needsSecretStores: ["vault"],
  },
  images: CORTEX_API_IMAGES,
  parse: parseCortexApiSettings,
  build(ctx) {
    const s = ctx.settings;
    const waiting = Object.entries(s.images)
      .filter(([, image]) => image === undefined)
      .map(([name]) => name);
    // One pod runs all four: until every image is set, nothing of it can run.
    const specs = waiting.length ? [] : [cortexApiSpec(s, s.images as Record<string, ImageRef>)];
    return {
      namespace: s.namespace,
      // An HPA-scaled API (003: 2-6 replicas): its scale-up lands on autoscaled nodes, which the
      // cluster autoscaler adds only for pods that tolerate their taints.
      runsOnAutoscaledNodes: true,
      specs,
      waitingForImages: waiting,
      exposure: "istio",
      // Sidecar injection (Istio "Automatic sidecar injection"); istio-cni does the redirection.
      namespaceLabels: { "istio-injection": "enabled" },
      ...(specs.length ? { mainHost: s.host } : {}),
    };
  },
});
