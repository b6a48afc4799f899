import * as pulumi from "@pulumi/pulumi";
import { parseSteadySettings } from "../../components/apps/steady/settings";
import { Reader } from "../../config/reader";
import type { AppSpec, ContainerSpec, WorkloadContext } from "../../components/apps/workload";

/** Obviously fake secret value; must never appear in an item. */
export const FAKE_SECRET = "FAKE-SECRET-VALUE-do-not-use";

export const STEADY_KEY = "platform:clusters.prod.appSettings.steady";

/** Steady settings as the image_update flow leaves them: every service image set. */
export const PROD_RAW = {
  environment: "prod",
  images: {
    "platform-backend": "ghcr.io/hitchai-app/platform-backend:sha-1111111",
    "inference-backend": `ghcr.io/hitchai-app/inference-backend:sha-2222222@sha256:${"a".repeat(64)}`,
    "dev-ui": "ghcr.io/hitchai-app/dev-ui:sha-3333333",
  },
  migrationCommands: {
    "platform-backend": ["node", "dist/migrate.js"],
    "inference-backend": ["node", "dist/migrate.js"],
  },
};

/** Parses Steady settings of a cluster `prod` (amd64) from a raw block. */
export const steadySettings = (raw: unknown, architecture: "amd64" | "arm64" = "amd64") =>
  parseSteadySettings(Reader.object(STEADY_KEY, raw), { name: "prod", architecture });

export const prodSettings = () => steadySettings(PROD_RAW);

/** A context without resources: only for specs that generate no secret. */
export function pureContext(overrides: Partial<WorkloadContext> = {}): WorkloadContext {
  return {
    cluster: "prod",
    domain: "example.test",
    namespace: "demo",
    exposure: { kind: "gateway-api", gateway: { name: "shared", namespace: "gateway" } },
    monitoring: { kind: "prometheus-operator", namespace: "monitoring" },
    defaultStorageClass: "hcloud-volumes-encrypted",
    storageClasses: ["hcloud-volumes-encrypted"],
    secrets: { steadyGhcrDockerConfigJson: pulumi.secret(FAKE_SECRET) },
    parent: undefined as unknown as pulumi.Resource,
    ...overrides,
  };
}

export const container = (extra: Partial<ContainerSpec> = {}): ContainerSpec => ({
  image: { repository: "ghcr.io/example/web", tag: "1.2.3" },
  ports: { http: 8080 },
  probes: { liveness: { http: "/health", port: "http" }, readiness: { http: "/ready", port: "http" } },
  resources: { cpu: "50m", memory: "64Mi" },
  ...extra,
});

export const webApp = (extra: Partial<AppSpec> = {}): AppSpec => ({
  name: "web",
  controllers: { web: { type: "deployment", containers: { web: container() } } },
  service: { ports: { http: 8080 } },
  ...extra,
});
