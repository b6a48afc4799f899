import { linkdingDefinition, LINKDING_PORT } from "../../components/apps/linkding";
import { APP_IMAGES } from "./images";
import { parseLinkdingSettings } from "../../components/apps/linkding/settings";
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

const settings = (raw: unknown = {}) => settingsOf("linkding", parseLinkdingSettings, raw);
let run: HomelabRun;

beforeAll(async () => {
  run = await runHomelabApp(linkdingDefinition, settings());
});

describe("linkding (document 004)", () => {
  it("runs the pinned multi-arch image as a StatefulSet with its data volume on Longhorn", () => {
    expect(run.app.namespace).toBe("linkding");
    // The image starts as root, which a restricted namespace refuses: the namespace enforces baseline.
    expect(run.app.podSecurity).toMatchObject({
      level: "baseline",
      reason: expect.stringMatching(/starts as root/),
    });
    const sts = find(run, "StatefulSet", "linkding");
    const c = containerOf(sts);
    expect(c.image).toBe(`docker.io/sissbruecker/linkding:${APP_IMAGES.linkding.linkding.tag}`);
    expect(APP_IMAGES.linkding.linkding.platforms).toContain("arm64");
    expect(c.ports).toEqual([{ name: "http", containerPort: LINKDING_PORT, protocol: "TCP" }]);
    expect(c.volumeMounts).toEqual([{ name: "data", mountPath: "/etc/linkding/data" }]);
    expect(sts.spec.volumeClaimTemplates[0].spec).toMatchObject({
      storageClassName: "longhorn",
      resources: { requests: { storage: "1Gi" } },
    });
  });

  it("wires PostgreSQL through LD_DB_* from the database claim", () => {
    expect(envOf(containerOf(find(run, "StatefulSet", "linkding")))).toMatchObject({
      LD_DB_ENGINE: "postgres",
      LD_DB_HOST: "linkding-db-rw.linkding.svc",
      LD_DB_PORT: "5432",
      LD_DB_DATABASE: "linkding",
      LD_DB_USER: secretRef("postgres-linkding-user", "username"),
      LD_DB_PASSWORD: secretRef("postgres-linkding-user", "password"),
      LD_CSRF_TRUSTED_ORIGINS: "https://linkding.example.test",
    });
    expect(run.build.databaseClaims).toEqual([
      { app: "linkding", database: "linkding", cluster: "linkding-db", namespace: "linkding" },
    ]);
  });

  it("creates the initial superuser with a generated password, never in the items", () => {
    const env = envOf(containerOf(find(run, "StatefulSet", "linkding")));
    expect(env.LD_SUPERUSER_NAME).toBe("admin");
    expect(env.LD_SUPERUSER_PASSWORD).toEqual(secretRef("linkding-superuser", "password"));
    const password = run.secretData["linkding-superuser"].password;
    expect(password.length).toBeGreaterThan(0);
    expect(JSON.stringify(run.build.items)).not.toContain(password);
  });

  it("probes /health and records why it starts as root", () => {
    const sts = find(run, "StatefulSet", "linkding");
    const c = containerOf(sts);
    for (const probe of [c.startupProbe, c.livenessProbe, c.readinessProbe])
      expect(probe.httpGet).toEqual({ path: "/health", port: "http" });
    expect(c.securityContext).toMatchObject({
      runAsNonRoot: false,
      readOnlyRootFilesystem: false,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"], add: ["CHOWN", "DAC_OVERRIDE", "SETUID", "SETGID"] },
    });
    // The second boot: root writes www-data's SQLite task queue, which needs DAC_OVERRIDE.
    expect(sts.metadata.annotations["security.platform.io/linkding.capabilities"]).toContain("second boot");
    expect(Object.keys(sts.metadata.annotations).sort()).toEqual([
      "security.platform.io/linkding.capabilities",
      "security.platform.io/linkding.readOnlyRootFilesystem",
      "security.platform.io/linkding.runAsNonRoot",
    ]);
  });

  it("is reached on linkding.<domain> through Traefik with cert-manager TLS", () => {
    expectTraefikRoute(run, "linkding", LINKDING_PORT);
  });

  it("passes the upstream schemas", () => {
    expect(validateSchemas(objectsOf(run)).filter((r) => r.status !== "valid")).toEqual([]);
  });

  it("refuses a superuser name Django would not accept", () => {
    expect(() => settings({ superuserName: "a b" })).toThrow(
      'Invalid config platform:clusters.production.appSettings.linkding.superuserName = "a b"',
    );
  });
});
