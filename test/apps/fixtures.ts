import * as pulumi from "@pulumi/pulumi";
import { parseSteadySettings } from "../../config/apps/steady";
import type { AppSpec, ContainerSpec, WorkloadContext } from "../../components/apps/workload";

/** Obviously fake secret value; must never appear in an item. */
export const FAKE_SECRET = "FAKE-SECRET-VALUE-do-not-use";

export const PROD_RAW = {
  environment: "prod",
  images: {
    platformBackend: { tag: "sha-1111111" },
    inferenceBackend: { tag: "sha-2222222", digest: `sha256:${"a".repeat(64)}` },
    devUi: { tag: "sha-3333333" },
  },
  migrationCommands: {
    platformBackend: ["node", "dist/migrate.js"],
    inferenceBackend: ["node", "dist/migrate.js"],
  },
};

export const prodSettings = () => parseSteadySettings("prod", PROD_RAW);

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
