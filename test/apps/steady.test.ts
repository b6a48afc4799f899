import * as pulumi from "@pulumi/pulumi";
import { APP_IMAGES } from "./images";
import type { SteadySettings } from "../../components/apps/steady/settings";
import { steadyDefinition, STEADY_PULL_SECRET } from "../../components/apps/steady";
import type { AppBuild } from "../../components/apps/types";
import { buildWorkloads, type WorkloadBuild } from "../../components/apps/workload";
import { capabilitiesOf } from "../../components/cluster/capabilities";
import {
  placeArgoCd,
  placeFlux,
  SYNC_WAVE,
  validateItems,
  type Bundle,
  type KubeObject,
} from "../../components/gitops";
import { runProgram, type RecordedResource } from "../../lib/mock-runtime";
import { validateSchemas } from "../../tools/schemas";
import {
  FAKE_SECRET,
  PROD_RAW,
  prodSettings,
  pureContext,
  STEADY_KEY as key,
  steadySettings,
} from "./fixtures";

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let build: WorkloadBuild;
let resources: RecordedResource[];
let secretData: Record<string, Record<string, string>>;

/** Steady's own build on a Talos cluster `prod` with domain example.test. */
function steadyOn(settings: SteadySettings): AppBuild {
  return steadyDefinition.spec.build({
    cluster: {
      name: "prod",
      kind: "talos-hcloud",
      domain: "example.test",
      capabilities: capabilitiesOf(
        { kind: "talos-hcloud", services: [], architecture: "amd64" } as never,
        [],
      ),
    },
    settings,
    secrets: { steadyGhcrDockerConfigJson: pulumi.secret(FAKE_SECRET) },
  });
}

beforeAll(async () => {
  const run = await runProgram(async () => {
    const parent = new pulumi.ComponentResource("test:index:Apps", "apps");
    const app = steadyOn(prodSettings());
    const w = buildWorkloads(app.specs, pureContext({ parent, namespace: app.namespace }));
    const b = { ...w, liveSecrets: [...w.liveSecrets, ...(app.liveSecrets ?? [])] };
    const data: Record<string, Record<string, string>> = {};
    for (const s of b.liveSecrets) {
      data[s.name] = await new Promise((resolve) =>
        pulumi.output(s.stringData).apply((v) => resolve(v as Record<string, string>)),
      );
    }
    return { b, data };
  });
  build = run.outputs.b;
  secretData = run.outputs.data;
  resources = run.resources;
});

/** The items with the database item the composition adds (the PostgresCluster bundle). */
const withDatabase = (): Bundle[] => [
  ...(build.items as Bundle[]),
  {
    kind: "bundle",
    name: "postgres",
    layer: "infrastructure-configs",
    namespace: "steady-prod",
    objects: [],
  },
];
const objects = (): KubeObject[] => (build.items as Bundle[]).flatMap((b) => [...b.objects]);
const find = (kind: string, name: string): Any => {
  const o = objects().find((x) => x.kind === kind && x.metadata.name.startsWith(name));
  if (!o) throw new Error(`no ${kind}/${name}`);
  return o;
};
const envOf = (o: Any): Record<string, unknown> =>
  Object.fromEntries(
    (o.spec.template.spec.containers[0].env as Any[]).map((e): [string, unknown] => [
      e.name as string,
      e.value ?? e.valueFrom,
    ]),
  );

/** Emit-mode placement of the items, as the engines write them to git. */
const EMIT_CTX = {
  delivery: "emit" as const,
  git: { url: "https://git.example.org/p.git", branch: "main", path: "gitops/prod/prod" },
  released: false,
  sops: false,
};

describe("Steady (document 000)", () => {
  it("delivers one bundle per app in steady-prod, valid for both engines", () => {
    expect(build.items.map((i) => [i.name, i.namespace, i.layer])).toEqual(
      ["valkey", "centrifugo", "litellm", "platform-backend", "inference-backend", "dev-ui"].map((n) => [
        n,
        "steady-prod",
        "apps",
      ]),
    );
    expect(() => validateItems(withDatabase())).not.toThrow();
    // The composition adds the namespace and database items (stacks/apps.ts; synth test).
    expect(build.items.find((i) => i.name === "platform-backend")?.dependsOn).toEqual([
      "valkey",
      "centrifugo",
    ]);
  });

  it("wires the backends: probes, NODE_ENV, DATABASE_URL, Valkey, Centrifugo, pull secret", () => {
    const d = find("Deployment", "platform-backend");
    const c = d.spec.template.spec.containers[0];
    expect(c.image).toBe("ghcr.io/hitchai-app/platform-backend:sha-1111111");
    expect(c.ports).toEqual([{ name: "http", containerPort: 3000, protocol: "TCP" }]);
    expect(c.livenessProbe).toEqual({ httpGet: { path: "/health", port: "http" } });
    expect(c.readinessProbe).toEqual({ httpGet: { path: "/ready", port: "http" } });
    expect(envOf(d)).toEqual({
      DATABASE_URL: { secretKeyRef: { name: "postgres-platform-backend-user", key: "uri" } },
      REDIS_HOST: "valkey",
      REDIS_PORT: "6379",
      NODE_ENV: "production",
      CENTRIFUGO_URL: "http://centrifugo:8000",
      CENTRIFUGO_API_KEY: { secretKeyRef: { name: "centrifugo-keys", key: "apiKey" } },
      CENTRIFUGO_JWT_SECRET: { secretKeyRef: { name: "centrifugo-keys", key: "tokenHmacSecret" } },
    });
    expect(d.spec.template.spec.imagePullSecrets).toEqual([{ name: STEADY_PULL_SECRET }]);
    expect(find("Deployment", "inference-backend").spec.template.spec.containers[0].image).toBe(
      `ghcr.io/hitchai-app/inference-backend:sha-2222222@sha256:${"a".repeat(64)}`,
    );
    expect(build.databaseClaims).toEqual([
      { app: "litellm", database: "litellm", cluster: "postgres", namespace: "steady-prod" },
      {
        app: "platform-backend",
        database: "platform-backend",
        cluster: "postgres",
        namespace: "steady-prod",
      },
      {
        app: "inference-backend",
        database: "inference-backend",
        cluster: "postgres",
        namespace: "steady-prod",
      },
    ]);
  });

  it("runs migrations before the Deployments on Argo CD (waves 1, 2) and Flux (phase stages)", () => {
    const argo = placeArgoCd(withDatabase(), EMIT_CTX);
    const wave = (kind: string, name: string) =>
      argo.objects.find((p) => p.object.kind === kind && p.object.metadata.name.startsWith(name))?.object
        .metadata.annotations?.[SYNC_WAVE];
    expect(wave("Job", "platform-backend-migration-")).toBe("1");
    expect(wave("Deployment", "platform-backend")).toBe("2");
    expect(wave("StatefulSet", "valkey")).toBeUndefined();
    const flux = placeFlux(withDatabase(), EMIT_CTX);
    const dir = (kind: string, name: string) =>
      flux.objects.find((p) => p.object.kind === kind && p.object.metadata.name.startsWith(name))?.dir;
    expect(dir("Job", "inference-backend-migration-")).toBe("apps/inference-backend/migrations");
    expect(dir("Deployment", "inference-backend")).toBe("apps/inference-backend/workloads");
    expect(dir("StatefulSet", "valkey")).toBe("apps/valkey/app");
    const valkey = find("StatefulSet", "valkey");
    expect(valkey.spec.template.spec.securityContext.fsGroup).toBe(1000);
    expect(valkey.spec.volumeClaimTemplates[0].spec.storageClassName).toBe("hcloud-volumes-encrypted");
  });

  it("boots Centrifugo v6 and LiteLLM with their required keys from generated secrets", () => {
    expect(envOf(find("Deployment", "centrifugo"))).toMatchObject({
      CENTRIFUGO_HTTP_API_KEY: { secretKeyRef: { name: "centrifugo-keys", key: "apiKey" } },
      CENTRIFUGO_CLIENT_TOKEN_HMAC_SECRET_KEY: {
        secretKeyRef: { name: "centrifugo-keys", key: "tokenHmacSecret" },
      },
      CENTRIFUGO_HEALTH_ENABLED: "true",
      CENTRIFUGO_CLIENT_ALLOWED_ORIGINS: "https://app.example.test",
    });
    const litellm = find("Deployment", "litellm");
    expect(envOf(litellm)).toMatchObject({
      DATABASE_URL: { secretKeyRef: { name: "postgres-litellm-user", key: "uri" } },
      LITELLM_MASTER_KEY: { secretKeyRef: { name: "litellm-keys", key: "masterKey" } },
      LITELLM_SALT_KEY: { secretKeyRef: { name: "litellm-keys", key: "saltKey" } },
    });
    expect(litellm.metadata.annotations).toEqual({
      "security.platform.io/litellm.runAsNonRoot": "the ghcr.io/berriai/litellm image runs as root",
      "security.platform.io/litellm.readOnlyRootFilesystem":
        "LiteLLM runs prisma generate/migrate into its install tree at start",
    });
    expect(secretData["litellm-keys"].masterKey).toMatch(/^sk-/);
    expect(
      resources.filter((r) => r.type === "random:index/randomPassword:RandomPassword").map((r) => r.name),
    ).toEqual([
      "prod-centrifugo-keys-apiKey",
      "prod-centrifugo-keys-tokenHmacSecret",
      "prod-litellm-keys-masterKey",
      "prod-litellm-keys-saltKey",
    ]);
  });

  it("keeps every secret value out of the items", () => {
    const text = JSON.stringify(build.items);
    expect(text).not.toContain(FAKE_SECRET);
    for (const data of Object.values(secretData))
      for (const value of Object.values(data)) expect(text).not.toContain(value);
    expect(secretData[STEADY_PULL_SECRET][".dockerconfigjson"]).toBe(FAKE_SECRET);
    expect(build.liveSecrets.map((s) => s.name)).toEqual([
      "centrifugo-keys",
      "litellm-keys",
      STEADY_PULL_SECRET,
    ]);
  });

  it("passes the upstream schemas", () => {
    const results = validateSchemas(objects());
    expect(results.filter((r) => r.status === "invalid")).toEqual([]);
    const valid = new Set(results.filter((r) => r.status === "valid").map((r) => r.kind));
    for (const kind of [
      "Deployment",
      "StatefulSet",
      "Job",
      "Service",
      "NetworkPolicy",
      "HTTPRoute",
      "ServiceMonitor",
      // @kubernetes-models/cilium covers cilium.io (tools/validate-schemas.mjs).
      "CiliumNetworkPolicy",
    ])
      expect(valid).toContain(kind);
    expect(results.filter((r) => r.status !== "valid")).toEqual([]);
  });
});

describe("Steady settings", () => {
  it("defaults the namespace, hosts and third-party images", () => {
    const s = prodSettings();
    expect(s.namespace).toBe("steady-prod");
    expect(s.hosts).toEqual({ ui: "app", api: "api", realtime: "realtime" });
    expect(steadySettings({ ...PROD_RAW, environment: "stage" }).namespace).toBe("steady-stage");
    expect(s.images.valkey).toEqual({
      repository: "docker.io/valkey/valkey",
      tag: APP_IMAGES.steady.valkey.tag,
    });
    expect(
      steadySettings({
        ...PROD_RAW,
        images: { ...PROD_RAW.images, valkey: "docker.io/valkey/valkey:8.1.12" },
      }).images.valkey?.tag,
    ).toBe("8.1.12");
  });
  it("leaves a service out until CI sets its image, and says so", () => {
    const app = steadyOn(steadySettings({ environment: "prod" }));
    expect(app.waitingForImages).toEqual(["platform-backend", "inference-backend", "dev-ui"]);
    expect(app.specs.map((s) => s.name)).toEqual(["valkey", "centrifugo", "litellm"]);
    const one = steadyOn(
      steadySettings({
        environment: "prod",
        images: { "dev-ui": "ghcr.io/hitchai-app/dev-ui:1.0.0" },
      }),
    );
    expect(one.waitingForImages).toEqual(["platform-backend", "inference-backend"]);
    expect(one.specs.map((s) => s.name)).toContain("dev-ui");
  });
  it("requires a migration command once a migrating service has an image", () => {
    expect(() =>
      steadySettings({
        environment: "prod",
        images: { "platform-backend": "ghcr.io/hitchai-app/platform-backend:1.0.0" },
      }),
    ).toThrow(
      `Invalid config ${key}.migrationCommands.platform-backend = (not set): required once images.platform-backend is set: the command that runs its migrations, e.g. [node, dist/migrate.js]`,
    );
  });
  it("refuses latest, unpinned and unknown images", () => {
    expect(() =>
      steadySettings({
        ...PROD_RAW,
        images: { ...PROD_RAW.images, "dev-ui": "ghcr.io/hitchai-app/dev-ui:latest" },
      }),
    ).toThrow(
      `Invalid config ${key}.images.dev-ui = "ghcr.io/hitchai-app/dev-ui:latest": is not pinned: "latest" moves; write an exact version tag`,
    );
    expect(() =>
      steadySettings({ ...PROD_RAW, images: { ...PROD_RAW.images, "dev-ui": "ghcr.io/hitchai-app/dev-ui" } }),
    ).toThrow(`Invalid config ${key}.images.dev-ui = "ghcr.io/hitchai-app/dev-ui": has no tag`);
    expect(() => steadySettings({ ...PROD_RAW, images: { devUi: "x:1" } })).toThrow(
      `Invalid config ${key}.images.devUi`,
    );
    expect(() => steadySettings({ ...PROD_RAW, imagez: {} })).toThrow(`Invalid config ${key}.imagez`);
  });
  it("refuses an image on an architecture it does not publish", () => {
    expect(() => steadySettings(PROD_RAW, "arm64")).toThrow(
      `Invalid config ${key}.images.platform-backend = "ghcr.io/hitchai-app/platform-backend": publishes amd64 only, not arm64`,
    );
  });
});
