/** The shared workload component (components/apps/workload): secret sources, generated basic-auth and bcrypt secrets, upstream schemas. */
import { buildWorkloads } from "../../components/apps/workload";
import type { Bundle, KubeObject } from "../../components/gitops";
import * as pulumi from "@pulumi/pulumi";
import { runProgram } from "../../lib/mock-runtime";
import { validateSchemas } from "../../tools/schemas";
import { container, pureContext, webApp } from "./fixtures";
import { build, objectsOf, find, podOf } from "./workload-helpers";

describe("secrets and schemas", () => {
  const rich = webApp({
    route: { host: "web", port: "http" },
    metrics: { port: "http" },
    persistence: { data: { type: "pvc", size: "1Gi" } },
    secrets: {
      api: {
        type: "external",
        store: "bitwarden",
        keys: { token: { remoteKey: "web-api", property: "token" } },
      },
      op: { type: "onepassword", itemPath: "vaults/infra/items/web" },
      cfg: { type: "config", keys: { password: "steadyGhcrDockerConfigJson" } },
    },
    controllers: {
      web: {
        type: "deployment",
        containers: {
          web: container({
            mounts: { "/data": "data" },
            env: { TOKEN: { secret: "api", key: "token" }, CFG: { configMap: "web-config", key: "mode" } },
            files: { "/etc/web/app.yaml": { configMap: "web-config", key: "app.yaml" } },
            envFromConfigMaps: ["web-env"],
          }),
        },
        autoscaling: {
          min: 2,
          max: 4,
          memory: 80,
          custom: [{ type: "Pods", metric: "rps", averageValue: "100" }],
        },
      },
      nightly: { type: "cronjob", schedule: "0 3 * * *", containers: { job: container({ probes: {} }) } },
    },
  });

  it("emits ExternalSecret and OnePasswordItem, applies config secrets live, and rejects a missing key", () => {
    const result = build([rich]);
    const objects = (result.items[0] as Bundle).objects as KubeObject[];
    expect(find(objects, "ExternalSecret", "web-api").spec).toEqual({
      refreshInterval: "1h",
      secretStoreRef: { kind: "ClusterSecretStore", name: "bitwarden" },
      target: { name: "web-api", creationPolicy: "Owner" },
      data: [{ secretKey: "token", remoteRef: { key: "web-api", property: "token" } }],
    });
    expect(find(objects, "OnePasswordItem", "web-op").spec).toEqual({ itemPath: "vaults/infra/items/web" });
    expect(result.liveSecrets.map((s) => [s.name, s.namespace])).toEqual([["web-cfg", "demo"]]);
    const c = podOf(find(objects, "Deployment", "web")).containers[0];
    expect(c.env).toContainEqual({
      name: "TOKEN",
      valueFrom: { secretKeyRef: { name: "web-api", key: "token" } },
    });
    expect(c.envFrom).toEqual([{ configMapRef: { name: "web-env" } }]);
    expect(c.volumeMounts).toContainEqual({
      name: "web-file-etc-web-app-yaml",
      mountPath: "/etc/web/app.yaml",
      subPath: "app.yaml",
      readOnly: true,
    });
    expect(() => build([rich], pureContext({ secrets: {} }))).toThrow(
      'app "web" secrets.cfg.keys.password: secret config "steadyGhcrDockerConfigJson" is not set; run `pulumi config set --secret steadyGhcrDockerConfigJson <value>`',
    );
  });

  it("passes the upstream schemas on every exposure kind", () => {
    const contexts = [
      pureContext(),
      pureContext({
        exposure: {
          kind: "traefik",
          clusterIssuer: "letsencrypt",
          ingressClassName: "traefik",
          namespace: "kube-system",
        },
      }),
      pureContext({
        exposure: {
          kind: "istio",
          namespace: "istio-ingress",
          selector: { istio: "ingressgateway" },
          clusterIssuer: "letsencrypt-staging",
        },
      }),
    ];
    const all = contexts.flatMap((ctx) => objectsOf([rich], ctx));
    const results = validateSchemas(all);
    expect(results.filter((r) => r.status === "invalid")).toEqual([]);
    const valid = new Set(results.filter((r) => r.status === "valid").map((r) => r.kind));
    for (const kind of [
      "Ingress",
      "Gateway",
      "VirtualService",
      "ExternalSecret",
      "HorizontalPodAutoscaler",
      "PodDisruptionBudget",
      "CronJob",
      "PersistentVolumeClaim",
    ])
      expect(valid).toContain(kind);
  });
});

describe("a generated basic-auth Secret and route middlewares", () => {
  it("makes a kubernetes.io/basic-auth Secret of the user and the generated password, and nothing else", async () => {
    const run = await runProgram(async () => {
      const parent = new pulumi.ComponentResource("test:index:Apps", "apps");
      const result = buildWorkloads(
        [
          webApp({
            secrets: {
              login: { type: "generated", keys: { password: { length: 32 } }, basicAuthUser: "admin" },
            },
          }),
        ],
        pureContext({ parent }),
      );
      const data = await new Promise<Record<string, string>>((resolve) =>
        pulumi.output(result.liveSecrets[0].stringData).apply((v) => resolve(v as Record<string, string>)),
      );
      return { result, data };
    });
    expect(run.outputs.result.liveSecrets.map((x) => [x.name, x.type])).toEqual([
      ["web-login", "kubernetes.io/basic-auth"],
    ]);
    expect(run.outputs.data).toEqual({ password: "fake-random-prod-web-login-password", username: "admin" });
    expect(() =>
      build(
        [
          webApp({
            secrets: {
              login: { type: "generated", keys: { token: { length: 32 } }, basicAuthUser: "admin" },
            },
          }),
        ],
        pureContext(),
      ),
    ).toThrow(
      'app "web" secrets.login.basicAuthUser: a basic-auth Secret has exactly the generated key "password", found token',
    );
  });

  it("refuses Traefik middlewares on a cluster that does not route through Traefik", () => {
    const app = webApp({ route: { host: "web", port: "http", middlewares: ["auth"] } });
    expect(() => objectsOf([app])).toThrow(
      'app "web" route.middlewares: Traefik Middlewares need the traefik ingress; this cluster routes through gateway-api',
    );
  });
});

describe("generated secrets with a bcrypt hash", () => {
  const withKeys = (keys: Record<string, { length: number; prefix?: string; bcrypt?: boolean }>) =>
    webApp({ secrets: { auth: { type: "generated", keys } } });

  it("publishes <key> and <key>Bcrypt from one RandomPassword, live only", async () => {
    const run = await runProgram(async () => {
      const parent = new pulumi.ComponentResource("test:index:Apps", "apps");
      const result = buildWorkloads(
        [withKeys({ password: { length: 32, bcrypt: true } })],
        pureContext({ parent }),
      );
      const data = await new Promise<Record<string, string>>((resolve) =>
        pulumi.output(result.liveSecrets[0].stringData).apply((v) => resolve(v as Record<string, string>)),
      );
      return { result, data };
    });
    const { result, data } = run.outputs;
    expect(result.liveSecrets.map((s) => s.name)).toEqual(["web-auth"]);
    expect(data).toEqual({
      password: "fake-random-prod-web-auth-password",
      passwordBcrypt: "fake-random-bcrypt-prod-web-auth-password",
    });
    const passwords = run.resources.filter((r) => r.type === "random:index/randomPassword:RandomPassword");
    expect(passwords.map((r) => [r.name, r.inputs])).toEqual([
      ["prod-web-auth-password", { length: 32, special: false }],
    ]);
    expect(JSON.stringify(result.items)).not.toContain("fake-random");
  });

  it("rejects bcrypt with a prefix, beyond 72 characters, or over another key", () => {
    const ctx = pureContext({ parent: undefined as unknown as pulumi.Resource });
    expect(() => buildWorkloads([withKeys({ k: { length: 32, prefix: "sk-", bcrypt: true } })], ctx)).toThrow(
      'app "web" secrets.auth.keys.k: bcrypt needs a value of at most 72 characters without a prefix (length 32, prefix "sk-")',
    );
    expect(() => buildWorkloads([withKeys({ k: { length: 80, bcrypt: true } })], ctx)).toThrow(
      "bcrypt needs a value of at most 72 characters without a prefix (length 80)",
    );
    expect(() =>
      buildWorkloads([withKeys({ k: { length: 32, bcrypt: true }, kBcrypt: { length: 32 } })], ctx),
    ).toThrow('app "web" secrets.auth.keys.k: bcrypt publishes kBcrypt, which is also a key');
  });
});
