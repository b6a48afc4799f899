import { homepageDefinition, HOMEPAGE_FILES, HOMEPAGE_PORT } from "../../components/apps/homepage";
import { parseHomepageSettings } from "../../components/apps/homepage/settings";
import { APP_IMAGES } from "./images";
import { parse } from "yaml";
import { validateSchemas } from "../../tools/schemas";
import {
  containerOf,
  envOf,
  expectTraefikRoute,
  find,
  objectsOf,
  runHomelabApp,
  settingsOf,
  type HomelabRun,
} from "./homelab-fixtures";

const RAW = {
  title: "Lab",
  services: {
    Media: [{ name: "Immich", href: "https://immich.example.test", description: "Photos" }],
    Reading: [{ name: "CommaFeed", href: "https://commafeed.example.test" }],
  },
};
const settings = (raw: unknown = RAW) => settingsOf("homepage", parseHomepageSettings, raw);
let run: HomelabRun;

beforeAll(async () => {
  run = await runHomelabApp(homepageDefinition, settings());
});

describe("Homepage (document 004)", () => {
  it("runs the pinned multi-arch image on port 3000 with HOMEPAGE_ALLOWED_HOSTS set to its host", () => {
    expect(run.app.namespace).toBe("homepage");
    const c = containerOf(find(run, "Deployment", "homepage"));
    expect(c.image).toBe(`ghcr.io/gethomepage/homepage:${APP_IMAGES.homepage.homepage.tag}`);
    expect(APP_IMAGES.homepage.homepage.platforms).toContain("arm64");
    expect(c.ports).toEqual([{ name: "http", containerPort: HOMEPAGE_PORT, protocol: "TCP" }]);
    expect(envOf(c)).toEqual({ HOMEPAGE_ALLOWED_HOSTS: "homepage.example.test" });
  });

  it("mounts every config file from its own ConfigMap into a writable /app/config", () => {
    const cm = find(run, "ConfigMap", "homepage-config");
    expect(Object.keys(cm.data).sort()).toEqual([...HOMEPAGE_FILES].sort());
    expect(parse(cm.data["settings.yaml"])).toEqual({ title: "Lab" });
    expect(parse(cm.data["services.yaml"])).toEqual([
      { Media: [{ Immich: { href: "https://immich.example.test", description: "Photos" } }] },
      { Reading: [{ CommaFeed: { href: "https://commafeed.example.test" } }] },
    ]);
    expect(parse(cm.data["bookmarks.yaml"])).toEqual([]);
    const c = containerOf(find(run, "Deployment", "homepage"));
    const mounts = c.volumeMounts as { mountPath: string; subPath?: string }[];
    expect(mounts.filter((m) => !m.subPath).map((m) => m.mountPath)).toEqual([
      "/app/config",
      "/app/.next/cache",
      "/tmp",
    ]);
    expect(mounts.filter((m) => m.subPath).map((m) => m.mountPath)).toEqual(
      HOMEPAGE_FILES.map((f) => `/app/config/${f}`),
    );
    expect(settings({}).services).toEqual([]);
    expect(parse(homepageConfigOf({}))).toEqual([]);
  });

  it("has no cluster access: no token, no RBAC, an empty kubernetes.yaml, no egress but DNS", () => {
    const d = find(run, "Deployment", "homepage");
    expect(d.spec.template.spec.automountServiceAccountToken).toBe(false);
    expect(objectsOf(run).filter((o) => o.apiVersion.startsWith("rbac."))).toEqual([]);
    expect(objectsOf(run).filter((o) => o.kind === "ServiceAccount")).toEqual([]);
    expect(find(run, "ConfigMap", "homepage-config").data["kubernetes.yaml"]).toBe("");
    expect(find(run, "NetworkPolicy", "homepage").spec.egress).toHaveLength(1);
  });

  it("probes the health check on 127.0.0.1, which the host check always allows", () => {
    const c = containerOf(find(run, "Deployment", "homepage"));
    const command = [
      "wget",
      "--output-document=-",
      "--quiet",
      "--tries=1",
      "http://127.0.0.1:3000/api/healthcheck",
    ];
    expect(c.livenessProbe.exec.command).toEqual(command);
    expect(c.readinessProbe.exec.command).toEqual(command);
    expect(c.securityContext).toMatchObject({
      runAsUser: 1000,
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
    });
  });

  it("is reached on homepage.<domain> through Traefik with cert-manager TLS, behind basic auth", () => {
    // Homepage has no login of its own: Traefik's basicAuth Middleware asks first.
    expectTraefikRoute(run, "homepage", HOMEPAGE_PORT, "homepage", {
      "traefik.ingress.kubernetes.io/router.middlewares": "homepage-homepage-auth@kubernetescrd",
    });
    const build = homepageDefinition.spec.build({
      cluster: { name: "production", kind: "k3s", domain: "example.test", capabilities: undefined as never },
      settings: settings(),
      secrets: {},
    });
    expect(build.objects).toEqual([
      {
        apiVersion: "traefik.io/v1alpha1",
        kind: "Middleware",
        metadata: { name: "homepage-auth", namespace: "homepage" },
        spec: { basicAuth: { secret: "homepage-basic-auth" } },
      },
    ]);
    // A kubernetes.io/basic-auth Secret: the user and a generated password, applied live.
    expect(run.build.liveSecrets.map((x) => [x.name, x.type, Object.keys(x.stringData).sort()])).toEqual([
      ["homepage-basic-auth", "kubernetes.io/basic-auth", ["password", "username"]],
    ]);
  });

  it("opts out of the basic auth only when settings.auth is none", async () => {
    const open = await runHomelabApp(homepageDefinition, settings({ ...RAW, auth: "none" }));
    expectTraefikRoute(open, "homepage", HOMEPAGE_PORT);
    expect(open.build.liveSecrets).toEqual([]);
    expect(() => settings({ ...RAW, auth: "oidc" })).toThrow(
      "platform:clusters.production.appSettings.homepage.auth",
    );
  });

  it("passes the upstream schemas", () => {
    expect(validateSchemas(objectsOf(run)).filter((r) => r.status !== "valid")).toEqual([]);
  });

  it("refuses a link that is not an http(s) URL", () => {
    expect(() => settings({ services: { A: [{ name: "x", href: "ftp://x" }] } })).toThrow(
      'Invalid config platform:clusters.production.appSettings.homepage.services.A[0].href = "ftp://x"',
    );
  });
});

/** services.yaml for raw settings. */
function homepageConfigOf(raw: unknown): string {
  return homepageDefinition.spec.build({
    cluster: { name: "production", kind: "k3s", domain: "example.test", capabilities: undefined as never },
    settings: settings(raw),
    secrets: {},
  }).specs[0].configMaps!.config["services.yaml"];
}
