import {
  ntfyDefinition,
  NTFY_PORT,
  NTFY_WEB_PUSH_PRIVATE_KEY,
  NTFY_WEB_PUSH_PUBLIC_KEY,
} from "../../components/apps/ntfy";
import { appNeededSecrets } from "../../components/apps/types";
import { APP_IMAGES } from "./images";
import { parseNtfySettings } from "../../components/apps/ntfy/settings";
import { validateSchemas } from "../../tools/schemas";
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

const settings = (raw: unknown = {}) => settingsOf("ntfy", parseNtfySettings, raw);
const VAPID = {
  [NTFY_WEB_PUSH_PUBLIC_KEY]: "FAKE-PUBLIC-KEY",
  [NTFY_WEB_PUSH_PRIVATE_KEY]: "FAKE-PRIVATE-KEY",
};
let plain: HomelabRun;
let push: HomelabRun;

beforeAll(async () => {
  plain = await runHomelabApp(ntfyDefinition, settings());
  push = await runHomelabApp(ntfyDefinition, settings({ webPushEmailAddress: "ops@example.test" }), VAPID);
});

describe("ntfy (document 004)", () => {
  it("serves the pinned multi-arch image as non-root on 8080 with its stores on one volume", () => {
    expect(plain.app.namespace).toBe("ntfy");
    const sts = find(plain, "StatefulSet", "ntfy");
    const c = containerOf(sts);
    expect(c.image).toBe(`docker.io/binwiederhier/ntfy:${APP_IMAGES.ntfy.ntfy.tag}`);
    expect(APP_IMAGES.ntfy.ntfy.platforms).toContain("arm64");
    expect(c.args).toEqual(["serve"]);
    expect(c.ports).toEqual([{ name: "http", containerPort: NTFY_PORT, protocol: "TCP" }]);
    expect(c.securityContext).toMatchObject({
      runAsUser: 1000,
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
    });
    expect(sts.spec.template.spec.securityContext.fsGroup).toBe(1000);
    expect(c.volumeMounts).toEqual([{ name: "data", mountPath: "/var/lib/ntfy" }]);
    expect(sts.spec.volumeClaimTemplates[0].spec.storageClassName).toBe("longhorn");
  });

  it("configures 004's server through NTFY_* env: base URL, proxy, cache, login, iOS upstream", () => {
    expect(envOf(containerOf(find(plain, "StatefulSet", "ntfy")))).toEqual({
      NTFY_BASE_URL: "https://ntfy.example.test",
      NTFY_LISTEN_HTTP: ":8080",
      NTFY_BEHIND_PROXY: "true",
      NTFY_CACHE_FILE: "/var/lib/ntfy/cache.db",
      NTFY_CACHE_DURATION: "12h",
      NTFY_ATTACHMENT_CACHE_DIR: "/var/lib/ntfy/attachments",
      NTFY_AUTH_FILE: "/var/lib/ntfy/user.db",
      NTFY_AUTH_DEFAULT_ACCESS: "deny-all",
      NTFY_ENABLE_LOGIN: "true",
      NTFY_UPSTREAM_BASE_URL: "https://ntfy.sh",
      NTFY_ENABLE_METRICS: "true",
    });
    expect(plain.build.liveSecrets).toEqual([]);
  });

  it("turns web push on with the VAPID keys from secret config, applied live", () => {
    expect(envOf(containerOf(find(push, "StatefulSet", "ntfy")))).toMatchObject({
      NTFY_WEB_PUSH_PUBLIC_KEY: secretRef("ntfy-web-push", "publicKey"),
      NTFY_WEB_PUSH_PRIVATE_KEY: secretRef("ntfy-web-push", "privateKey"),
      NTFY_WEB_PUSH_FILE: "/var/lib/ntfy/webpush.db",
      NTFY_WEB_PUSH_EMAIL_ADDRESS: "ops@example.test",
    });
    expect(push.secretData["ntfy-web-push"]).toEqual({
      publicKey: "FAKE-PUBLIC-KEY",
      privateKey: "FAKE-PRIVATE-KEY",
    });
    expect(JSON.stringify(push.build.items)).not.toContain("FAKE-PRIVATE-KEY");
    expect(appNeededSecrets(ntfyDefinition, settings({ webPushEmailAddress: "a@b" }))).toEqual([
      NTFY_WEB_PUSH_PUBLIC_KEY,
      NTFY_WEB_PUSH_PRIVATE_KEY,
    ]);
    expect(appNeededSecrets(ntfyDefinition, settings())).toEqual([]);
  });

  it("refuses half a key pair, and keys without the contact address", async () => {
    await expect(
      runHomelabApp(ntfyDefinition, settings({ webPushEmailAddress: "a@b" }), {
        [NTFY_WEB_PUSH_PUBLIC_KEY]: "x",
      }),
    ).rejects.toThrow(
      "ntfy: web push needs both secret config keys; only platform:ntfyWebPushPublicKey is set",
    );
    await expect(runHomelabApp(ntfyDefinition, settings(), VAPID)).rejects.toThrow(
      "ntfy: the web push keys are set but appSettings.ntfy.webPushEmailAddress is not",
    );
  });

  it("probes /v1/health, exposes metrics to Prometheus and reaches the internet on 443 only", () => {
    const c = containerOf(find(plain, "StatefulSet", "ntfy"));
    expect(c.livenessProbe.httpGet).toEqual({ path: "/v1/health", port: "http" });
    expect(c.readinessProbe.httpGet).toEqual({ path: "/v1/health", port: "http" });
    expect(find(plain, "ServiceMonitor", "ntfy").spec.endpoints).toEqual([
      { port: "http", path: "/metrics" },
    ]);
    const egress = find(plain, "NetworkPolicy", "ntfy").spec.egress as { ports: unknown[] }[];
    expect(egress[egress.length - 1].ports).toEqual([{ protocol: "TCP", port: 443 }]);
  });

  it("is reached on ntfy.<domain> through Traefik with cert-manager TLS", () => {
    expectTraefikRoute(plain, "ntfy", NTFY_PORT);
  });

  it("passes the upstream schemas", () => {
    expect(validateSchemas(objectsOf(push)).filter((r) => r.status !== "valid")).toEqual([]);
  });

  it("refuses an unknown default access", () => {
    expect(() => settings({ authDefaultAccess: "open" })).toThrow(
      'Invalid config platform:clusters.production.appSettings.ntfy.authDefaultAccess = "open"',
    );
  });
});
