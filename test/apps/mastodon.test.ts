/**
 * Mastodon's specs rendered by the workload component: 002's replica ranges, HPA metrics and
 * behaviour, PriorityClasses, ports, routes, env groups, scrape objects and secrets.
 */
import * as pulumi from "@pulumi/pulumi";
import { parseMastodonSettings, type MastodonSettings } from "../../components/apps/mastodon/settings";
import { Reader } from "../../config/reader";
import {
  MASTODON_BITWARDEN_KEYS,
  mastodonDefinition,
  mastodonEnvGroups,
  mastodonSpecs,
} from "../../components/apps/mastodon";
import { buildWorkloads, type WorkloadBuild } from "../../components/apps/workload";
import { capabilitiesOf } from "../../components/cluster/capabilities";
import { validateItems, type Bundle, type KubeObject } from "../../components/gitops";
import { runProgram } from "../../lib/mock-runtime";
import { validateSchemas } from "../../tools/schemas";
import { pureContext } from "./fixtures";

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const KEY = "platform:clusters.prod.appSettings.mastodon";
const DIGEST = `sha256:${"b".repeat(64)}`;
const RAW = {
  images: {
    mastodon: `ghcr.io/glitch-soc/mastodon:v4.5.0-beta.2@${DIGEST}`,
    streaming: `ghcr.io/glitch-soc/mastodon-streaming:v4.5.0-beta.2@${DIGEST}`,
  },
};
const settings = (raw: unknown, architecture: "amd64" | "arm64" = "amd64"): MastodonSettings =>
  parseMastodonSettings(Reader.object(KEY, raw), { name: "prod", architecture });

let build: WorkloadBuild;

beforeAll(async () => {
  build = await runProgram(() => {
    const parent = new pulumi.ComponentResource("test:index:Apps", "apps");
    const specs = mastodonSpecs(settings(RAW), "example.test");
    return buildWorkloads(
      specs,
      pureContext({
        parent,
        namespace: "mastodon",
        monitoring: { kind: "victoria-metrics", namespace: "victoriametrics" },
      }),
    );
  }).then((r) => r.outputs);
});

const all = (): KubeObject[] => build.items.flatMap((i) => (i as Bundle).objects as KubeObject[]);
const find = (kind: string, name: string): Any => {
  const o = all().find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`no ${kind} ${name}`);
  return o;
};
const pod = (name: string): Any => find("Deployment", name).spec.template.spec;

describe("internet egress", () => {
  // Ports of the NetworkPolicy egress rules that leave the cluster (ipBlock peers).
  const internetPorts = (name: string): number[] =>
    (find("NetworkPolicy", name).spec.egress as Any[])
      .filter((r) => (r.to as Any[] | undefined)?.some((t) => t.ipBlock))
      .flatMap((r) => (r.ports as Any[]).map((p) => p.port as number))
      .sort((a, b) => a - b);

  it("sends mail only from Sidekiq (mailers are deliver_later jobs); the web process has no SMTP", () => {
    expect(internetPorts("mastodon-web")).toEqual([80, 443]);
    const sidekiq = all().filter(
      (o) => o.kind === "NetworkPolicy" && o.metadata.name.startsWith("mastodon-sidekiq"),
    );
    expect(sidekiq.length).toBeGreaterThan(0);
    for (const p of sidekiq) expect(internetPorts(p.metadata.name)).toEqual([80, 443, 465, 587]);
  });
});

describe("settings", () => {
  it("defaults to 002's values and requires a digest on the glitch-soc images", () => {
    const s = settings({});
    expect(s).toMatchObject({
      namespace: "mastodon",
      host: "mastodon",
      postgresCluster: "mastodon-db",
      secretStore: "bitwarden-backend",
      maxTootChars: 1000,
      s3: { bucket: "mastodata", region: "auto" },
    });
    // No digest known: web and streaming wait; Redis and Elasticsearch have their defaults.
    expect(s.images.mastodon).toBeUndefined();
    expect(s.images.streaming).toBeUndefined();
    expect(s.images.redis).toEqual({ repository: "docker.io/library/redis", tag: "8.2.1-alpine" });
    expect(s.images.elasticsearch).toEqual({ repository: "docker.io/library/elasticsearch", tag: "8.18.1" });
    expect(() => settings({ images: { mastodon: "ghcr.io/glitch-soc/mastodon:v4.5.0-beta.2" } })).toThrow(
      `Invalid config ${KEY}.images.mastodon = "ghcr.io/glitch-soc/mastodon:v4.5.0-beta.2": must be pinned by digest: append @sha256:<digest>`,
    );
    expect(() => settings(RAW, "arm64")).toThrow(`${KEY}.images.mastodon`);
  });

  it("leaves the Rails and streaming workloads out until the digests are set", () => {
    const s = settings({});
    expect(mastodonSpecs(s, "example.test").map((x) => x.name)).toEqual([
      "mastodon-redis",
      "mastodon-elasticsearch",
    ]);
    const app = mastodonDefinition.spec.build({
      cluster: {
        name: "prod",
        kind: "talos-hcloud",
        domain: "example.test",
        capabilities: capabilitiesOf(
          { kind: "talos-hcloud", services: [], architecture: "amd64" } as never,
          [],
        ),
      },
      settings: s,
      secrets: {},
    });
    expect(app.waitingForImages).toEqual(["mastodon", "streaming"]);
    expect(app.mainHost).toBe("mastodon");
  });
});

describe("workloads", () => {
  it("builds one item per workload in dependency order", () => {
    expect(build.items.map((i) => [i.name, i.dependsOn ?? []])).toEqual([
      ["mastodon-redis", []],
      ["mastodon-elasticsearch", []],
      ["mastodon", ["mastodon-redis", "mastodon-elasticsearch"]],
      ["mastodon-web", ["mastodon"]],
      ["mastodon-streaming", ["mastodon"]],
      ["mastodon-sidekiq-default", ["mastodon"]],
      ["mastodon-sidekiq-federation", ["mastodon"]],
      ["mastodon-sidekiq-background", ["mastodon"]],
      ["mastodon-sidekiq-scheduler", ["mastodon"]],
      // mastodon/chart's post-install/post-upgrade hooks: after every workload is rolled out.
      [
        "mastodon-post-deploy",
        [
          "mastodon",
          "mastodon-web",
          "mastodon-streaming",
          "mastodon-sidekiq-default",
          "mastodon-sidekiq-federation",
          "mastodon-sidekiq-background",
          "mastodon-sidekiq-scheduler",
        ],
      ],
    ]);
    expect(() => validateItems(build.items)).not.toThrow();
  });

  it("migrates as mastodon/chart does: db:prepare without post-deployment migrations first, the rest and the search indices after the rollout", () => {
    const jobs = all().filter((o) => o.kind === "Job") as Any[];
    expect(jobs.map((j) => j.metadata.name.replace(/-[0-9a-f]{8}$/, ""))).toEqual([
      "mastodon-migrate",
      "mastodon-post-deploy-db-migrate",
      "mastodon-post-deploy-search-deploy",
    ]);
    const [pre, post, search] = jobs.map((j) => j.spec.template.spec.containers[0]);
    expect(pre.command).toEqual(["bundle", "exec", "rails", "db:prepare"]);
    expect(pre.env).toContainEqual({ name: "SKIP_POST_DEPLOYMENT_MIGRATIONS", value: "true" });
    expect(post.command).toEqual(["bundle", "exec", "rails", "db:migrate"]);
    expect(post.env.map((e: Any) => e.name)).not.toContain("SKIP_POST_DEPLOYMENT_MIGRATIONS");
    expect(search.command).toEqual(["bin/tootctl", "search", "deploy"]);
    expect(search.resources.requests).toEqual({ cpu: "700m", memory: "768Mi" });
    expect(build.databaseClaims).toEqual([
      {
        app: "mastodon",
        database: "mastodon",
        cluster: "mastodon-db",
        namespace: "mastodon",
        priorityClassName: "mastodon-critical",
        verifyCa: true,
      },
    ]);
    for (const name of ["mastodon-web", "mastodon-sidekiq-default", "mastodon-streaming"])
      expect(pod(name).containers[0].env).toContainEqual({
        name: "DATABASE_URL",
        valueFrom: { secretKeyRef: { name: "postgres-mastodon-user", key: "uri" } },
      });
  });

  it("scales web 2-4 on p95 queue time > 35 ms, backlog > 3 and 80 % memory", () => {
    const hpa = find("HorizontalPodAutoscaler", "mastodon-web").spec;
    expect([hpa.minReplicas, hpa.maxReplicas]).toEqual([2, 4]);
    expect(hpa.metrics).toEqual([
      {
        type: "Resource",
        resource: { name: "memory", target: { type: "Utilization", averageUtilization: 80 } },
      },
      {
        type: "External",
        external: {
          metric: {
            name: "ruby_http_request_queue_duration_seconds_p95",
            selector: { matchLabels: { job: "mastodon-web" } },
          },
          target: { type: "Value", value: "35m" },
        },
      },
      {
        type: "External",
        external: {
          metric: { name: "ruby_puma_request_backlog", selector: { matchLabels: { job: "mastodon-web" } } },
          target: { type: "Value", value: "3" },
        },
      },
    ]);
    expect(hpa.behavior).toEqual({
      scaleUp: { stabilizationWindowSeconds: 30, policies: [{ type: "Pods", value: 2, periodSeconds: 30 }] },
      scaleDown: {
        stabilizationWindowSeconds: 180,
        policies: [{ type: "Pods", value: 1, periodSeconds: 60 }],
      },
    });
    expect(find("PodDisruptionBudget", "mastodon-web").spec.maxUnavailable).toBe(1);
  });

  it("scales streaming 1-3 at ~200 clients per pod and Sidekiq on queue latency", () => {
    const streaming = find("HorizontalPodAutoscaler", "mastodon-streaming").spec;
    expect([streaming.minReplicas, streaming.maxReplicas]).toEqual([1, 3]);
    expect(streaming.metrics).toEqual([
      {
        type: "External",
        external: {
          metric: { name: "mastodon_streaming_connected_clients" },
          target: { type: "AverageValue", averageValue: "200" },
        },
      },
    ]);
    const latency = (name: string): Any[] => {
      const spec = find("HorizontalPodAutoscaler", name).spec;
      return [spec.minReplicas, spec.maxReplicas, spec.metrics[0].external];
    };
    expect(latency("mastodon-sidekiq-default")).toEqual([
      1,
      3,
      {
        metric: { name: "sidekiq_queue_latency_seconds", selector: { matchLabels: { queue: "default" } } },
        target: { type: "Value", value: "10" },
      },
    ]);
    expect(latency("mastodon-sidekiq-federation")).toEqual([
      1,
      3,
      {
        metric: { name: "sidekiq_queue_latency_seconds", selector: { matchLabels: { queue: "push" } } },
        target: { type: "Value", value: "30" },
      },
    ]);
    for (const name of ["mastodon-sidekiq-background", "mastodon-sidekiq-scheduler"]) {
      expect(find("Deployment", name).spec.replicas).toBe(1);
      expect(all().some((o) => o.kind === "HorizontalPodAutoscaler" && o.metadata.name === name)).toBe(false);
    }
    expect(pod("mastodon-sidekiq-federation").containers[0].command).toEqual([
      "bundle",
      "exec",
      "sidekiq",
      "-q",
      "push",
      "-q",
      "ingress",
      "-c",
      "20",
    ]);
  });

  it("gives the datastores mastodon-critical and the deployments mastodon-high", () => {
    for (const name of ["mastodon-redis", "mastodon-elasticsearch"])
      expect(find("StatefulSet", name).spec.template.spec.priorityClassName).toBe("mastodon-critical");
    for (const d of all().filter((o) => o.kind === "Deployment") as Any[])
      expect([d.metadata.name, d.spec.template.spec.priorityClassName]).toEqual([
        d.metadata.name,
        "mastodon-high",
      ]);
  });

  it("exposes web on 3000 with metrics on 9394, streaming on 4000, and scrapes them", () => {
    expect(pod("mastodon-web").containers[0].ports).toEqual([
      { name: "http", containerPort: 3000, protocol: "TCP" },
      { name: "metrics", containerPort: 9394, protocol: "TCP" },
    ]);
    expect(find("Service", "mastodon-streaming").spec.ports).toEqual([
      { name: "streaming", port: 4000, targetPort: "streaming", protocol: "TCP" },
    ]);
    expect(find("HTTPRoute", "mastodon-web").spec.rules[0]).toEqual({
      matches: [{ path: { type: "PathPrefix", value: "/" } }],
      backendRefs: [{ name: "mastodon-web", port: 3000 }],
    });
    expect(find("HTTPRoute", "mastodon-streaming").spec).toMatchObject({
      hostnames: ["mastodon.example.test"],
      rules: [
        {
          matches: [{ path: { type: "PathPrefix", value: "/api/v1/streaming" } }],
          backendRefs: [{ name: "mastodon-streaming", port: 4000 }],
        },
      ],
    });
    expect(find("VMServiceScrape", "mastodon-web").spec).toEqual({
      selector: { matchLabels: { "app.kubernetes.io/name": "mastodon-web" } },
      endpoints: [{ port: "metrics", path: "/metrics" }],
    });
    expect(find("VMServiceScrape", "mastodon-sidekiq-default").spec.endpoints).toEqual([
      { port: "metrics", path: "/metrics" },
    ]);
  });

  it("reads its config as env groups and its secrets from Bitwarden", () => {
    expect(pod("mastodon-web").containers[0].envFrom.map((e: Any) => e.configMapRef.name)).toEqual([
      "mastodon-web-core",
      "mastodon-web-database",
      "mastodon-web-redis",
      "mastodon-web-search",
      "mastodon-web-features",
      "mastodon-web-external-services",
      "mastodon-web-web",
    ]);
    expect(pod("mastodon-streaming").containers[0].envFrom.map((e: Any) => e.configMapRef.name)).toEqual([
      "mastodon-streaming-core",
      "mastodon-streaming-database",
      "mastodon-streaming-redis",
      "mastodon-streaming-streaming",
    ]);
    const groups = mastodonEnvGroups(settings(RAW), "example.test");
    expect(Object.keys(groups)).toEqual([
      "core",
      "database",
      "redis",
      "search",
      "features",
      "external-services",
      "web",
      "sidekiq",
      "streaming",
      "jobs",
    ]);
    expect(find("ConfigMap", "mastodon-web-web").data).toMatchObject({
      MASTODON_PROMETHEUS_EXPORTER_LOCAL: "true",
      MASTODON_PROMETHEUS_EXPORTER_HOST: "0.0.0.0",
      MASTODON_PROMETHEUS_EXPORTER_PORT: "9394",
      STREAMING_API_BASE_URL: "wss://mastodon.example.test",
    });
    expect(find("ConfigMap", "mastodon-web-features").data.MAX_TOOT_CHARS).toBe("1000");
    const es = find("ExternalSecret", "mastodon-app").spec;
    expect(es.secretStoreRef).toEqual({ kind: "ClusterSecretStore", name: "bitwarden-backend" });
    // Every secret the image needs to boot (.env.production.sample, Mastodon 4.3+ encryption keys).
    const keys = es.data.map((d: Any) => d.secretKey);
    for (const k of [
      "LOCAL_DOMAIN",
      "SECRET_KEY_BASE",
      "OTP_SECRET",
      "VAPID_PRIVATE_KEY",
      "VAPID_PUBLIC_KEY",
      "ACTIVE_RECORD_ENCRYPTION_DETERMINISTIC_KEY",
      "ACTIVE_RECORD_ENCRYPTION_KEY_DERIVATION_SALT",
      "ACTIVE_RECORD_ENCRYPTION_PRIMARY_KEY",
    ])
      expect(keys).toContain(k);
    expect(keys).toEqual(Object.keys(MASTODON_BITWARDEN_KEYS));
    expect(pod("mastodon-web").containers[0].env).toContainEqual({
      name: "SECRET_KEY_BASE",
      valueFrom: { secretKeyRef: { name: "mastodon-app", key: "SECRET_KEY_BASE" } },
    });
    // Elasticsearch's password is generated and applied live, never in an item.
    expect(build.liveSecrets.map((s) => s.name)).toEqual(["mastodon-elasticsearch-auth"]);
    expect(pod("mastodon-web").containers[0].env).toContainEqual({
      name: "ES_PASS",
      valueFrom: { secretKeyRef: { name: "mastodon-elasticsearch-auth", key: "password" } },
    });
    // Streaming gets no app secrets.
    expect(pod("mastodon-streaming").containers[0].env.map((e: Any) => e.name)).toEqual(["DATABASE_URL"]);
  });

  it("runs non-root with a read-only root filesystem, Elasticsearch's opt-out named", () => {
    const web = pod("mastodon-web").containers[0];
    expect(web.securityContext).toMatchObject({
      runAsUser: 991,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
    });
    expect(web.volumeMounts.map((m: Any) => m.mountPath)).toEqual([
      "/opt/mastodon/tmp",
      "/tmp",
      "/etc/postgresql-ca",
    ]);
    const es = find("StatefulSet", "mastodon-elasticsearch");
    expect(es.metadata.annotations["security.platform.io/elasticsearch.readOnlyRootFilesystem"]).toContain(
      "keystore",
    );
    expect(es.spec.template.spec.containers[0].securityContext.runAsUser).toBe(1000);
  });

  it("passes the upstream schemas", () => {
    const results = validateSchemas(all());
    expect(results.filter((r) => r.status === "invalid")).toEqual([]);
    const valid = new Set(results.filter((r) => r.status === "valid").map((r) => r.kind));
    for (const kind of [
      "Deployment",
      "StatefulSet",
      "Job",
      "HorizontalPodAutoscaler",
      "HTTPRoute",
      "ExternalSecret",
    ])
      expect(valid).toContain(kind);
  });
});
