/**
 * cortex-api (document 003): the four-container pod, its availability, the Istio objects,
 * the NetworkPolicy and the Vault secrets; then the prod stack with the app configured.
 */
import { cortexApiDefinition, GOOGLE_KEY_PATH } from "../../components/apps/cortex-api";
import { buildWorkloads } from "../../components/apps/workload";
import { capabilitiesOf } from "../../components/cluster/capabilities";
import type { Bundle, KubeObject } from "../../components/gitops";
import { parseCortexApiSettings } from "../../components/apps/cortex-api/settings";
import { Reader } from "../../config/reader";
import type { SynthResult } from "../../tools/synth";
import { validateSchemas } from "../../tools/schemas";
import { pureContext } from "./fixtures";
import { synthEdited } from "./stack-synth";

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const KEY = "platform:clusters.prod.appSettings.cortex-api";
const RAW = {
  images: {
    "cortex-api": "registry.example.org/cortex/cortex-api:2.3.0",
    "redis-proxy": "registry.example.org/cortex/redis-proxy:1.0.4",
    "exporter-merger": "registry.example.org/cortex/exporter-merger:0.5.0",
    "chrome-devtools-protocol-server": "registry.example.org/cortex/cdp-server:131.0.1",
  },
  jwt: { issuer: "https://auth.example.org/", jwksUri: "https://auth.example.org/.well-known/jwks.json" },
};
const settings = (raw: unknown = RAW) =>
  parseCortexApiSettings(Reader.object(KEY, raw), { name: "prod", architecture: "amd64" });

function build(raw: unknown = RAW) {
  return cortexApiDefinition.spec.build({
    cluster: {
      name: "prod",
      kind: "talos-hcloud",
      domain: "example.test",
      capabilities: capabilitiesOf(
        { kind: "talos-hcloud", services: [], architecture: "amd64" } as never,
        [],
      ),
    },
    settings: settings(raw),
    secrets: {},
  });
}

const app = build();
const objects: KubeObject[] = (
  buildWorkloads(
    app.specs,
    pureContext({
      namespace: app.namespace,
      exposure: {
        kind: "istio",
        namespace: "istio-ingress",
        selector: { istio: "ingressgateway" },
        clusterIssuer: "letsencrypt-production",
      },
      monitoring: { kind: "victoria-metrics", namespace: "victoriametrics" },
    }),
  ).items as Bundle[]
).flatMap((b) => [...b.objects]);
const find = (kind: string, name = "cortex-api"): Any => {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`no ${kind}/${name}`);
  return o;
};
const pod = (): Any => find("Deployment").spec.template.spec;

describe("cortex-api (document 003)", () => {
  it("runs the four containers, every one with a read-only root filesystem", () => {
    const containers: Any[] = pod().containers;
    expect(containers.map((c) => c.name)).toEqual([
      "cortex-api",
      "redis-proxy",
      "exporter-merger",
      "chrome-devtools-protocol-server",
    ]);
    for (const c of containers) {
      expect(c.securityContext).toMatchObject({
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        allowPrivilegeEscalation: false,
      });
      expect(c.livenessProbe).toBeDefined();
      expect(c.readinessProbe).toBeDefined();
    }
    expect(containers[0].livenessProbe).toEqual({ httpGet: { path: "/health", port: "http" } });
    expect(containers[0].ports).toEqual([{ name: "http", containerPort: 8000, protocol: "TCP" }]);
    expect(containers[3].volumeMounts.map((m: Any) => m.mountPath)).toEqual(["/tmp", "/dev/shm"]);
  });

  it("scales 2-6 on CPU with a PDB, topology spread and anti-affinity", () => {
    const hpa = find("HorizontalPodAutoscaler");
    expect([hpa.spec.minReplicas, hpa.spec.maxReplicas]).toEqual([2, 6]);
    expect(hpa.spec.metrics[0].resource).toEqual({
      name: "cpu",
      target: { type: "Utilization", averageUtilization: 70 },
    });
    expect(find("PodDisruptionBudget").spec.maxUnavailable).toBe(1);
    expect(pod().topologySpreadConstraints[0]).toMatchObject({
      maxSkew: 1,
      whenUnsatisfiable: "ScheduleAnyway",
    });
    expect(pod().affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight).toBe(
      100,
    );
  });

  it("reads GitHub, OpenAI, Slack and Google credentials from Vault", () => {
    const es = find("ExternalSecret", "cortex-api-credentials");
    expect(es.spec.secretStoreRef).toEqual({ kind: "ClusterSecretStore", name: "vault-backend" });
    expect(es.spec.data.map((d: Any) => [d.secretKey, d.remoteRef])).toEqual(
      [
        "github-token",
        "openai-api-key",
        "slack-bot-token",
        "slack-signing-secret",
        "google-service-account.json",
      ].map((k) => [k, { key: "cortex-api", property: k }]),
    );
    const env = Object.fromEntries(
      (pod().containers[0].env as Any[]).map((e) => [e.name, e.value ?? e.valueFrom.secretKeyRef]),
    );
    expect(env.OPENAI_API_KEY).toEqual({ name: "cortex-api-credentials", key: "openai-api-key" });
    expect(env.GOOGLE_APPLICATION_CREDENTIALS).toBe(GOOGLE_KEY_PATH);
    expect(pod().volumes).toContainEqual({
      name: "cortex-api-file-var-run-secrets-google-key-json",
      secret: { secretName: "cortex-api-credentials" },
    });
  });

  it("routes through the Istio gateway with STRICT mTLS and required JWTs", () => {
    expect(find("Gateway", "cortex-api-cortex-api").metadata.namespace).toBe("istio-ingress");
    expect(find("VirtualService").spec.hosts).toEqual(["cortex.example.test"]);
    expect(find("PeerAuthentication").spec).toEqual({
      selector: { matchLabels: { "app.kubernetes.io/name": "cortex-api" } },
      mtls: { mode: "STRICT" },
      portLevelMtls: { "8080": { mode: "PERMISSIVE" } },
    });
    expect(find("DestinationRule").spec.trafficPolicy).toEqual({ tls: { mode: "ISTIO_MUTUAL" } });
    expect(find("RequestAuthentication").spec.jwtRules).toEqual([
      { issuer: "https://auth.example.org/", jwksUri: "https://auth.example.org/.well-known/jwks.json" },
    ]);
    expect(find("AuthorizationPolicy").spec.rules[0]).toEqual({
      from: [{ source: { requestPrincipals: ["*"] } }],
      to: [{ operation: { ports: ["8000"] } }],
    });
    expect(app.namespaceLabels).toEqual({ "istio-injection": "enabled" });
  });

  it("logs the sidecar's requests through Istio's built-in envoy access-log provider", () => {
    expect(find("Telemetry").spec).toEqual({
      selector: { matchLabels: { "app.kubernetes.io/name": "cortex-api" } },
      accessLogging: [{ providers: [{ name: "envoy" }] }],
    });
  });

  it("lets the sidecar export spans to the collector only when the mesh traces", () => {
    const policy = (meshTracing?: { namespace: string; port: number }): Any =>
      (
        buildWorkloads(
          app.specs,
          pureContext({
            namespace: app.namespace,
            exposure: {
              kind: "istio",
              namespace: "istio-ingress",
              selector: { istio: "ingressgateway" },
              clusterIssuer: "letsencrypt-production",
            },
            monitoring: { kind: "victoria-metrics", namespace: "victoriametrics" },
            ...(meshTracing ? { meshTracing } : {}),
          }),
        ).items as Bundle[]
      )
        .flatMap((b) => [...b.objects])
        .find((o) => o.kind === "NetworkPolicy")!;
    const toCollector = {
      to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "observability" } } }],
      ports: [{ protocol: "TCP", port: 4317 }],
    };
    expect(policy({ namespace: "observability", port: 4317 }).spec.egress).toContainEqual(toCollector);
    expect(policy().spec.egress).not.toContainEqual(toCollector);
  });

  it("lets in only the gateway and the scraper, and lets the sidecar reach istiod", () => {
    const np = find("NetworkPolicy");
    expect(np.spec.ingress).toContainEqual({
      from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "istio-ingress" } } }],
      ports: [{ protocol: "TCP", port: 8000 }],
    });
    expect(np.spec.egress).toContainEqual({
      to: [
        {
          namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "istio-system" } },
          podSelector: { matchLabels: { app: "istiod" } },
        },
      ],
      ports: [{ protocol: "TCP", port: 15012 }],
    });
    expect(find("VMServiceScrape").spec.endpoints).toEqual([{ port: "metrics", path: "/metrics" }]);
  });

  it("passes the schemas it has", () => {
    expect(validateSchemas(objects).filter((r) => r.status === "invalid")).toEqual([]);
  });

  it("waits for every image before it runs anything, and then needs the JWT issuer", () => {
    const waiting = build({});
    expect(waiting.specs).toEqual([]);
    expect(waiting.waitingForImages).toEqual([
      "cortex-api",
      "redis-proxy",
      "exporter-merger",
      "chrome-devtools-protocol-server",
    ]);
    expect(() => settings({ images: RAW.images })).toThrow(
      `Invalid config ${KEY}.jwt = (not set): required once images are set`,
    );
  });
});

describe("cortex-api on prod, configured", () => {
  let result: SynthResult;
  beforeAll(async () => {
    result = await synthEdited("prod", (doc) => {
      const at = ["config", "platform:clusters", "prod"];
      doc.setIn([...at, "appSettings", "cortex-api"], RAW);
      doc.setIn([...at, "serviceSettings", "external-secrets"], {
        vault: { server: "https://vault.example.org", auth: "kubernetes", role: "external-secrets" },
      });
      doc.setIn([...at, "serviceSettings", "istio", "tracing"], {
        service: "opentelemetry-collector.observability.svc.cluster.local",
      });
    });
  }, 120_000);

  it("traces the mesh through the configured collector: istiod's provider, the mesh-wide Telemetry", () => {
    const all = result.objects.map((o) => o.object as Any);
    const istiod = all.find((o) => o.kind === "Application" && o.metadata.name === "istiod") as Any;
    expect(istiod.spec.source.helm.valuesObject.meshConfig.extensionProviders).toEqual([
      {
        name: "otel-tracing",
        opentelemetry: { service: "opentelemetry-collector.observability.svc.cluster.local", port: 4317 },
      },
    ]);
    const telemetry = all.filter((o) => o.kind === "Telemetry");
    expect(telemetry.map((o) => [o.metadata.namespace, o.metadata.name])).toEqual(
      expect.arrayContaining([
        ["istio-system", "mesh-default"],
        ["cortex-api", "cortex-api"],
      ]),
    );
  });

  it("delivers the app with no policy finding and no invalid object", () => {
    expect(result.policy).toEqual([]);
    expect(result.schema.filter((s) => s.status === "invalid")).toEqual([]);
    const kinds = result.objects
      .map((o) => o.object as Any)
      .filter((o) => o.metadata.namespace === "cortex-api")
      .map((o) => o.kind);
    expect(kinds).toEqual(expect.arrayContaining(["Deployment", "PeerAuthentication", "ExternalSecret"]));
    const ns = result.objects
      .map((o) => o.object as Any)
      .find((o) => o.kind === "Namespace" && o.metadata.name === "cortex-api");
    expect(ns?.metadata.labels["istio-injection"]).toBe("enabled");
    expect(JSON.parse(result.files.get("plan.json")!).outputs.apps["prod/cortex-api"]).toEqual({
      cluster: "prod",
      url: "https://cortex.goingdark.social",
    });
  });

  it("refuses the app without a Vault store once its images are set", async () => {
    await expect(
      synthEdited("prod", (doc) =>
        doc.setIn(["config", "platform:clusters", "prod", "appSettings", "cortex-api"], RAW),
      ),
    ).rejects.toThrow(
      'Invalid config platform:clusters.prod.apps[4] = "cortex-api": reads its secrets from the vault-backend store; configure serviceSettings.external-secrets.vault on this cluster',
    );
  }, 60_000);
});
