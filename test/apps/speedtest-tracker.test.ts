import { SPEEDTEST_TRACKER_PORT, speedtestTrackerDefinition } from "../../components/apps/speedtest-tracker";
import { APP_IMAGES } from "./images";
import { parseSpeedtestTrackerSettings } from "../../components/apps/speedtest-tracker/settings";
import { evaluateStack } from "../../policy/rules";
import { policyResources } from "../../tools/policies";
import { validateSchemas } from "../../tools/schemas";
import type { SynthResult } from "../../tools/synth";
import {
  containerOf,
  envOf,
  expectTraefikRoute,
  find,
  objectsOf,
  runHomelabApp,
  secretRef,
  settingsOf,
  type HomelabRun,
} from "./homelab-fixtures";
import { named, objectsIn, synthHomelab } from "./homelab-synth";

const settings = (raw: unknown = {}) => settingsOf("speedtest-tracker", parseSpeedtestTrackerSettings, raw);
let run: HomelabRun;
let synth: SynthResult;

beforeAll(async () => {
  run = await runHomelabApp(speedtestTrackerDefinition, settings({ servers: "36998,52365" }));
  synth = await synthHomelab();
}, 120_000);

describe("Speedtest Tracker (document 004)", () => {
  it("runs the pinned LinuxServer.io image, published for arm64, on port 80", () => {
    const c = containerOf(find(run, "Deployment", "speedtest-tracker"));
    expect(c.image).toBe(
      `lscr.io/linuxserver/speedtest-tracker:${APP_IMAGES["speedtest-tracker"]["speedtest-tracker"].tag}`,
    );
    expect(APP_IMAGES["speedtest-tracker"]["speedtest-tracker"].platforms).toContain("arm64");
    expect(c.ports).toEqual([{ name: "http", containerPort: SPEEDTEST_TRACKER_PORT, protocol: "TCP" }]);
    expect(c.livenessProbe.httpGet).toEqual({ path: "/api/healthcheck", port: "http" });
  });

  it("sets every variable the docs require, with the key and admin password generated", () => {
    const env = envOf(containerOf(find(run, "Deployment", "speedtest-tracker")));
    expect(env).toMatchObject({
      PUID: "1000",
      PGID: "1000",
      APP_KEY: secretRef("speedtest-tracker-app", "key"),
      APP_URL: "https://speedtest-tracker.example.test",
      ADMIN_EMAIL: "admin@example.test",
      ADMIN_PASSWORD: secretRef("speedtest-tracker-app", "adminPassword"),
      DB_CONNECTION: "pgsql",
      DB_HOST: "speedtest-tracker-db-rw.speedtest-tracker.svc",
      DB_PORT: "5432",
      DB_DATABASE: "speedtest_tracker",
      DB_USERNAME: secretRef("postgres-speedtest-tracker-user", "username"),
      DB_PASSWORD: secretRef("postgres-speedtest-tracker-user", "password"),
      SPEEDTEST_SCHEDULE: "6 */2 * * *",
      SPEEDTEST_SERVERS: "36998,52365",
    });
    // Laravel takes a 32-byte key as is for aes-256-cbc (Encrypter::supported).
    const app = run.secretData["speedtest-tracker-app"];
    const key = run.resources.find((r) => r.name === "production-speedtest-tracker-app-key");
    expect(key?.inputs).toMatchObject({ length: 32, special: false });
    expect(app.adminPassword.length).toBeGreaterThan(0);
    expect(JSON.stringify(run.build.items)).not.toContain(app.key);
  });

  it("starts as root with only the capabilities s6-overlay uses, in a baseline namespace", () => {
    const c = containerOf(find(run, "Deployment", "speedtest-tracker"));
    expect(c.securityContext).toMatchObject({
      runAsNonRoot: false,
      allowPrivilegeEscalation: false,
      capabilities: {
        drop: ["ALL"],
        add: ["CHOWN", "DAC_OVERRIDE", "FOWNER", "SETUID", "SETGID", "NET_BIND_SERVICE", "KILL"],
      },
    });
    expect(run.app.podSecurity?.level).toBe("baseline");
    // In the shipped stack the namespace enforces baseline, warns at restricted and says why.
    const ns = synth.objects
      .filter((o) => o.cluster === "production")
      .map(
        (o) => o.object as { kind: string; metadata: { name: string; labels: object; annotations: object } },
      )
      .find((o) => o.kind === "Namespace" && o.metadata.name === "speedtest-tracker");
    expect(ns?.metadata.labels).toEqual({
      // Its route attaches to the cluster's ingress (the Gateway admits labelled namespaces).
      "platform.io/gateway-routes": "true",
      "pod-security.kubernetes.io/enforce": "baseline",
      "pod-security.kubernetes.io/audit": "restricted",
      "pod-security.kubernetes.io/warn": "restricted",
    });
    expect(ns?.metadata.annotations).toEqual({
      "policy.platform.io/pod-security-admission": expect.stringMatching(
        /^speedtest-tracker: .*must start as root/,
      ),
      // Kept by both engines when the app goes (components/gitops/delivery.ts keptOnRemoval).
      "argocd.argoproj.io/sync-options": "Prune=false,Delete=false",
      "kustomize.toolkit.fluxcd.io/prune": "disabled",
    });
    // ... and in a restricted namespace the admission check would refuse the pod.
    const restricted = policyResources(synth.resources, synth.objects).map((r) =>
      r.props["kind"] === "Namespace" &&
      JSON.stringify(r.props["metadata"]).includes('"name":"speedtest-tracker"')
        ? {
            ...r,
            props: {
              ...r.props,
              metadata: {
                name: "speedtest-tracker",
                labels: { "pod-security.kubernetes.io/enforce": "restricted" },
              },
            },
          }
        : r,
    );
    const refused = evaluateStack(restricted).filter(
      (v) =>
        v.policy === "pod-security-admission-fit" &&
        v.message.includes("speedtest-tracker/speedtest-tracker"),
    );
    expect(refused.map((v) => v.message)).toContain(
      "Deployment speedtest-tracker/speedtest-tracker: namespace speedtest-tracker enforces restricted, which refuses: containers[speedtest-tracker] does not set runAsNonRoot: true",
    );
  });

  it("keeps results in its own CloudNativePG cluster, with backups, on the production cluster only", () => {
    expect(
      named(objectsIn(synth, "production", "speedtest-tracker", "Cluster"), "speedtest-tracker-db").spec
        .instances,
    ).toBe(3);
    expect(objectsIn(synth, "production", "speedtest-tracker", "ScheduledBackup")).toHaveLength(1);
    expect(objectsIn(synth, "staging", "speedtest-tracker", "Deployment")).toEqual([]);
  });

  it("reaches Ookla's test ports and is served on its host through Traefik", () => {
    const egress = find(run, "NetworkPolicy", "speedtest-tracker").spec.egress as { ports: unknown[] }[];
    expect(egress[egress.length - 1].ports).toEqual([
      { protocol: "TCP", port: 443 },
      { protocol: "TCP", port: 5060 },
      { protocol: "TCP", port: 8080 },
    ]);
    expectTraefikRoute(run, "speedtest-tracker", SPEEDTEST_TRACKER_PORT);
  });

  it("passes the upstream schemas", () => {
    expect(validateSchemas(objectsOf(run)).filter((r) => r.status !== "valid")).toEqual([]);
  });

  it("refuses a schedule that is not cron and server IDs that are not numbers", () => {
    expect(() => settings({ schedule: "hourly" })).toThrow(
      'Invalid config platform:clusters.production.appSettings.speedtest-tracker.schedule = "hourly"',
    );
    expect(() => settings({ servers: "nearby" })).toThrow(
      'Invalid config platform:clusters.production.appSettings.speedtest-tracker.servers = "nearby"',
    );
  });
});
