/**
 * The AI services of source document 001 on the homelab `staging` cluster: the offline synth
 * of the shipped Pulumi.homelab.yaml, asserted on the facts 001 names (UID 1024 on
 * synology-nfs, NodePort 30080, NATS bcrypt auth through an init container, Redis auth,
 * LiteLLM's env and 1Password items, pinned images), plus the settings parsers directly.
 */
import { BUILT_IN_UNITS } from "../../stacks/units";
import {
  AI_APPS,
  parseLitellmSettings,
  parseNatsSettings,
  parseOpenWebuiSettings,
} from "../../components/apps/ai-services/settings";
import { openWebuiSpec } from "../../components/apps/ai-services/llm";
import { APP_IMAGES } from "./images";
import { ConfigError, Reader } from "../../config/reader";
import { parseSettings } from "../../config/services";
import type { ClusterConfig, Versions } from "../../config/types";
import { natsAuthScript, postgresInitScript } from "../../components/apps/ai-services/stores";
import { validateSchemas } from "../../tools/schemas";
import type { SynthResult } from "../../tools/synth";
import { shippedSynth } from "../helpers/shipped-synth";

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let result: SynthResult;

beforeAll(async () => {
  result = await shippedSynth("homelab");
}, 120_000);

const inAi = (kind: string): Any[] =>
  result.objects.map((o) => o.object as Any).filter((o) => o.kind === kind && o.metadata.namespace === "ai");
const one = (kind: string, name: string): Any => {
  const o = inAi(kind).find((x) => x.metadata.name === name);
  if (!o) throw new Error(`no ${kind} ai/${name}`);
  return o;
};
const pod = (kind: string, name: string): Any => one(kind, name).spec.template.spec;
const container = (kind: string, name: string, c = name): Any =>
  (pod(kind, name).containers as Any[]).find((x) => x.name === c)!;
const envOf = (c: Any): Record<string, unknown> =>
  Object.fromEntries(
    (c.env as Any[]).map((e): [string, unknown] => [e.name as string, e.value ?? e.valueFrom]),
  );
const secretRef = (name: string, key: string) => ({ secretKeyRef: { name, key } });
const plan = (): Any => JSON.parse(result.files.get("plan.json")!);

describe("Open WebUI once onboarded", () => {
  const spec = (raw: Record<string, unknown>) =>
    openWebuiSpec(
      parseOpenWebuiSettings(Reader.object("platform:clusters.staging.appSettings.open-webui", raw), {
        name: "staging",
        architecture: "amd64",
      }),
    );

  it("opens NodePort 30080 to the LAN ranges only, or to the sources the settings name", () => {
    expect(spec({}).service?.nodePorts).toBeUndefined();
    const onboarded = spec({ onboarded: true });
    expect(onboarded.service?.nodePorts).toEqual({ http: 30080 });
    expect(onboarded.nodePortSources).toEqual(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]);
    expect(spec({ onboarded: true, nodePortSources: ["10.0.40.0/24"] }).nodePortSources).toEqual([
      "10.0.40.0/24",
    ]);
    expect(() => spec({ nodePortSources: ["lan"] })).toThrow(
      "platform:clusters.staging.appSettings.open-webui.nodePortSources[0]",
    );
  });
});

describe("AI services on homelab staging (document 001)", () => {
  it("passes the schemas and the policy pack, and keeps every secret out of the files", () => {
    expect(result.schema.filter((s) => s.status === "invalid")).toEqual([]);
    expect(result.policy).toEqual([]);
    expect(result.ok).toBe(true);
    const ai = result.objects.map((o) => o.object as Any).filter((o) => o.metadata?.namespace === "ai");
    const checked = validateSchemas(ai);
    expect(checked.filter((r) => r.status === "invalid")).toEqual([]);
    expect(checked.filter((r) => r.status === "valid").length).toBeGreaterThan(20);
    for (const [file, content] of result.files)
      if (file !== "plan.json")
        expect({ file, leaked: /fake-random-/.test(content) }).toEqual({ file, leaked: false });
  });

  it("runs the six apps in namespace ai with the pinned images", () => {
    const images = [...inAi("Deployment"), ...inAi("StatefulSet")]
      .map((o) => [o.metadata.name, o.spec.template.spec.containers[0].image])
      .sort();
    expect(images).toEqual([
      ["etcd", "registry.k8s.io/etcd:3.5.16-0"],
      ["litellm", "ghcr.io/berriai/litellm:main-v1.77.2-stable"],
      ["nats", "docker.io/library/nats:2.11.9-alpine"],
      ["open-webui", "ghcr.io/open-webui/open-webui:v0.6.26"],
      ["postgres", "docker.io/library/postgres:16.10-bookworm"],
      ["redis", "docker.io/library/redis:7.4.5-alpine"],
    ]);
    // None of 001's floating tags survives.
    for (const [, image] of images) expect(image).not.toMatch(/:(main|main-latest|7-alpine|2-alpine|16)$/);
    expect(
      Object.keys(APP_IMAGES)
        .filter((a) => (AI_APPS as readonly string[]).includes(a))
        .sort(),
    ).toEqual([...AI_APPS].sort());
  });

  it("runs postgres and etcd as 1024:100 on synology-nfs StatefulSets with claim templates", () => {
    for (const name of ["postgres", "etcd"]) {
      const sts = one("StatefulSet", name);
      expect(sts.spec.volumeClaimTemplates).toEqual([
        {
          metadata: { name: "data" },
          spec: {
            accessModes: ["ReadWriteOnce"],
            storageClassName: "synology-nfs",
            resources: { requests: { storage: name === "postgres" ? "10Gi" : "2Gi" } },
          },
        },
      ]);
      const c = sts.spec.template.spec.containers[0];
      expect(c.securityContext).toMatchObject({ runAsUser: 1024, runAsGroup: 100, runAsNonRoot: true });
      expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
      expect(sts.spec.template.spec.securityContext.fsGroup).toBe(100);
    }
    const pg = container("StatefulSet", "postgres");
    expect(envOf(pg)).toEqual({
      POSTGRES_PASSWORD: secretRef("postgres-passwords", "postgres"),
      PGDATA: "/var/lib/postgresql/data/pgdata",
      LITELLM_DB_PASSWORD: secretRef("postgres-passwords", "litellm"),
      OPENWEBUI_DB_PASSWORD: secretRef("postgres-passwords", "openwebui"),
    });
    expect(pg.volumeMounts).toContainEqual({ name: "data", mountPath: "/var/lib/postgresql/data" });
    expect(pg.volumeMounts).toContainEqual({
      name: "postgres-file-docker-entrypoint-initdb-d-10-ai-databases-sh",
      mountPath: "/docker-entrypoint-initdb.d/10-ai-databases.sh",
      subPath: "10-ai-databases.sh",
      readOnly: true,
    });
    expect(one("ConfigMap", "postgres-initdb").data["10-ai-databases.sh"]).toBe(
      postgresInitScript(["litellm", "openwebui"]),
    );
    expect(container("StatefulSet", "etcd").args).toContain("--data-dir=/var/lib/etcd/data");
  });

  it("creates each client's role and database from env passwords, never from the script", () => {
    const script = postgresInitScript(["litellm", "openwebui"]);
    expect(script).toContain(`--set=litellm_password="$LITELLM_DB_PASSWORD"`);
    expect(script).toContain("CREATE ROLE openwebui LOGIN PASSWORD :'openwebui_password';");
    expect(script).toContain("CREATE DATABASE litellm OWNER litellm;");
    // A quoted heredoc: the shell expands nothing inside the SQL.
    expect(script).toContain("<<'SQL'");
  });

  it("gives Redis a generated password for the server and its probe", () => {
    const c = container("Deployment", "redis");
    expect(c.args).toEqual(["--requirepass", "$(REDIS_PASSWORD)"]);
    expect(envOf(c)).toEqual({
      REDIS_PASSWORD: secretRef("redis-auth", "password"),
      REDISCLI_AUTH: secretRef("redis-auth", "password"),
    });
    expect(c.readinessProbe).toEqual({ exec: { command: ["redis-cli", "ping"] } });
    expect(c.securityContext).toMatchObject({ runAsUser: 999, runAsGroup: 1000 });
  });

  it("writes NATS's auth.conf from the bcrypt hash in an init container, included by the main config", () => {
    const spec = pod("Deployment", "nats");
    const [init] = spec.initContainers as Any[];
    expect(init.name).toBe("auth");
    expect(init.command).toEqual(["sh", "-c", natsAuthScript()]);
    expect(init.command[2]).toMatch(
      /^printf '.*' "\$NATS_USER" "\$NATS_PASSWORD_HASH" > \/etc\/nats\/auth\/auth\.conf$/,
    );
    expect(envOf(init)).toEqual({
      NATS_USER: "client",
      NATS_PASSWORD_HASH: secretRef("nats-credentials", "passwordBcrypt"),
    });
    const server = container("Deployment", "nats");
    expect(server.command).toEqual(["nats-server", "--config", "/etc/nats/nats.conf"]);
    expect(server.env).toBeUndefined();
    // One emptyDir, in memory, shared by the init container and the server.
    expect(spec.volumes).toContainEqual({ name: "auth", emptyDir: { medium: "Memory", sizeLimit: "1Mi" } });
    for (const c of [init, server])
      expect(c.volumeMounts).toContainEqual({ name: "auth", mountPath: "/etc/nats/auth" });
    // nats-server resolves the include against /etc/nats: this is /etc/nats/auth/auth.conf.
    expect(one("ConfigMap", "nats-config").data["nats.conf"]).toContain("include ./auth/auth.conf");
    // The password and its hash come from one generated password, applied live.
    const secrets = plan().resources.filter(
      (r: Any) => r.type === "kubernetes:core/v1:Secret" && r.inputs.metadata.namespace === "ai",
    );
    const byName = Object.fromEntries(secrets.map((s: Any) => [s.inputs.metadata.name, s.inputs]));
    expect(Object.keys(byName["nats-credentials"].stringData).sort()).toEqual(["password", "passwordBcrypt"]);
    expect(Object.keys(byName).sort()).toEqual([
      "litellm-keys",
      "nats-credentials",
      "open-webui-keys",
      "postgres-passwords",
      "redis-auth",
    ]);
  });

  it("boots LiteLLM on postgres and redis with its keys and the 1Password provider keys", () => {
    const c = container("Deployment", "litellm");
    expect(envOf(c)).toEqual({
      REDIS_HOST: "redis",
      REDIS_PORT: "6379",
      LITELLM_DB_PASSWORD: secretRef("postgres-passwords", "litellm"),
      DATABASE_URL: "postgresql://litellm:$(LITELLM_DB_PASSWORD)@postgres:5432/litellm",
      LITELLM_MASTER_KEY: secretRef("litellm-keys", "masterKey"),
      LITELLM_SALT_KEY: secretRef("litellm-keys", "saltKey"),
      STORE_MODEL_IN_DB: "True",
      REDIS_PASSWORD: secretRef("redis-auth", "password"),
      OPENAI_API_KEY: secretRef("litellm-op-openai", "credential"),
      ANTHROPIC_API_KEY: secretRef("litellm-op-anthropic", "credential"),
    });
    // Kubernetes expands $(VAR) only from variables listed before it.
    const names = (c.env as Any[]).map((e) => e.name as string);
    expect(names.indexOf("LITELLM_DB_PASSWORD")).toBeLessThan(names.indexOf("DATABASE_URL"));
    expect(c.args).toEqual(["--port", "4000", "--config", "/etc/litellm/config.yaml"]);
    expect(one("ConfigMap", "litellm-config").data["config.yaml"]).toContain("type: redis");
    expect(inAi("OnePasswordItem").map((o) => [o.metadata.name, o.spec.itemPath])).toEqual([
      ["litellm-op-anthropic", "vaults/Development/items/anthropic"],
      ["litellm-op-openai", "vaults/Development/items/openai"],
    ]);
    const egress = one("NetworkPolicy", "litellm").spec.egress as Any[];
    expect(egress).toContainEqual({
      to: [
        {
          ipBlock: {
            cidr: "0.0.0.0/0",
            except: [
              "10.0.0.0/8",
              "100.64.0.0/10",
              "127.0.0.0/8",
              "169.254.0.0/16",
              "172.16.0.0/12",
              "192.168.0.0/16",
            ],
          },
        },
      ],
      ports: [{ protocol: "TCP", port: 443 }],
    });
    expect(egress).toContainEqual({
      to: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "postgres" } } }],
      ports: [{ protocol: "TCP", port: 5432 }],
    });
  });

  it("serves Open WebUI through LiteLLM, with no NodePort until its admin exists, and its data on a PVC", () => {
    // The shipped stack leaves appSettings.open-webui.onboarded unset: the first sign-up
    // becomes admin, so nothing outside the cluster reaches it yet.
    const svc = one("Service", "open-webui");
    expect(svc.spec.type).toBe("ClusterIP");
    expect(svc.spec.ports).toEqual([{ name: "http", port: 8080, targetPort: "http", protocol: "TCP" }]);
    const c = container("Deployment", "open-webui");
    expect(envOf(c)).toEqual({
      OPENAI_API_BASE_URL: "http://litellm:4000/v1",
      OPENAI_API_KEY: secretRef("litellm-keys", "masterKey"),
      WEBUI_SECRET_KEY: secretRef("open-webui-keys", "secretKey"),
      OPENWEBUI_DB_PASSWORD: secretRef("postgres-passwords", "openwebui"),
      DATABASE_URL: "postgresql://openwebui:$(OPENWEBUI_DB_PASSWORD)@postgres:5432/openwebui",
      DATA_DIR: "/app/backend/data",
      ENABLE_OLLAMA_API: "False",
      DEFAULT_USER_ROLE: "pending",
    });
    expect(one("PersistentVolumeClaim", "open-webui-data").spec.storageClassName).toBe("synology-nfs");
    expect(pod("Deployment", "open-webui").volumes).toContainEqual({
      name: "data",
      persistentVolumeClaim: { claimName: "open-webui-data" },
    });
    // No node port, so no ingress at all; postgres and litellm admit only their clients.
    expect(one("NetworkPolicy", "open-webui").spec.ingress).toEqual([]);
    expect(one("NetworkPolicy", "postgres").spec.ingress).toEqual([
      {
        from: ["litellm", "open-webui"].map((app) => ({
          podSelector: { matchLabels: { "app.kubernetes.io/name": app } },
        })),
        ports: [{ protocol: "TCP", port: 5432 }],
      },
    ]);
  });
});

describe("AI services settings", () => {
  const cluster = { name: "staging", architecture: "amd64" } as const;
  const at = (app: string, raw: unknown) =>
    Reader.object(`platform:clusters.staging.appSettings.${app}`, raw);

  it("reads provider keys as <item>/<field> and refuses anything else", () => {
    expect(
      parseLitellmSettings(at("litellm", { apiKeys: { GROQ_API_KEY: "groq/credential" } }), cluster),
    ).toMatchObject({
      namespace: "ai",
      vault: "Development",
      apiKeys: { GROQ_API_KEY: { item: "groq", field: "credential" } },
    });
    expect(() =>
      parseLitellmSettings(at("litellm", { apiKeys: { GROQ_API_KEY: "Groq Key" } }), cluster),
    ).toThrow(
      'platform:clusters.staging.appSettings.litellm.apiKeys.GROQ_API_KEY = "Groq Key": expected <item>/<field>',
    );
    expect(() =>
      parseLitellmSettings(at("litellm", { apiKeys: { groq: "groq/credential" } }), cluster),
    ).toThrow("expected an env var name such as OPENAI_API_KEY");
  });

  it("refuses the default namespace", () => {
    expect(() => parseNatsSettings(at("nats", { namespace: "default" }), cluster)).toThrow(
      'platform:clusters.staging.appSettings.nats.namespace = "default": the default namespace is refused by policy',
    );
  });

  it("requires an app and the apps it needs to share a namespace", () => {
    const staging = { ...cluster, kind: "k3d-proxmox", apps: [...AI_APPS] } as unknown as ClusterConfig;
    const clusterReader = (appSettings: unknown) =>
      Reader.object("platform:clusters.staging", { appSettings });
    const parse = (appSettings: unknown) =>
      parseSettings(clusterReader(appSettings), staging, "appSettings", {} as Versions, BUILT_IN_UNITS);
    expect(Object.keys(parse({})).sort()).toEqual([...AI_APPS].sort());
    expect(() => parse({ litellm: { namespace: "llm" } })).toThrow(ConfigError);
    expect(() => parse({ litellm: { namespace: "llm" } })).toThrow(
      'platform:clusters.staging.appSettings.litellm.namespace = "llm": litellm needs postgres, which runs in namespace ai; set the same namespace for both',
    );
    const moved = { namespace: "llm" };
    expect(() =>
      parse({ postgres: moved, redis: moved, nats: moved, etcd: moved, litellm: moved, "open-webui": moved }),
    ).not.toThrow();
  });
});
