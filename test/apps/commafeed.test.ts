import { commafeedDefinition, COMMAFEED_PORT } from "../../components/apps/commafeed";
import { parseCommafeedSettings } from "../../components/apps/commafeed/settings";
import { APP_IMAGES } from "./images";
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

const settings = (raw: unknown = {}, arch: "amd64" | "arm64" = "arm64") =>
  settingsOf("commafeed", parseCommafeedSettings, raw, arch);
let run: HomelabRun;

beforeAll(async () => {
  run = await runHomelabApp(commafeedDefinition, settings());
});

describe("CommaFeed (document 004)", () => {
  it("runs the pinned PostgreSQL native image in its own namespace on port 8082", () => {
    expect(run.app.namespace).toBe("commafeed");
    expect(run.build.items.map((i) => [i.name, i.namespace, i.layer])).toEqual([
      ["commafeed", "commafeed", "apps"],
    ]);
    const c = containerOf(find(run, "Deployment", "commafeed"));
    expect(c.image).toBe(`docker.io/athou/commafeed:${APP_IMAGES.commafeed.commafeed.tag}`);
    expect(APP_IMAGES.commafeed.commafeed.tag).toMatch(/-postgresql$/);
    expect(c.ports).toEqual([{ name: "http", containerPort: COMMAFEED_PORT, protocol: "TCP" }]);
    expect(find(run, "Service", "commafeed").spec.ports).toEqual([
      { name: "http", port: 8082, targetPort: "http", protocol: "TCP" },
    ]);
  });

  it("wires its database claim into the Quarkus datasource, the parts before the URL that uses them", () => {
    const c = containerOf(find(run, "Deployment", "commafeed"));
    const env = envOf(c);
    expect(env).toMatchObject({
      COMMAFEED_DB_HOST: "commafeed-db-rw.commafeed.svc",
      COMMAFEED_DB_PORT: "5432",
      COMMAFEED_DB_NAME: "commafeed",
      QUARKUS_DATASOURCE_USERNAME: secretRef("postgres-commafeed-user", "username"),
      QUARKUS_DATASOURCE_PASSWORD: secretRef("postgres-commafeed-user", "password"),
      QUARKUS_DATASOURCE_JDBC_URL:
        "jdbc:postgresql://$(COMMAFEED_DB_HOST):$(COMMAFEED_DB_PORT)/$(COMMAFEED_DB_NAME)",
      QUARKUS_HTTP_AUTH_SESSION_ENCRYPTION_KEY: secretRef("commafeed-session", "encryptionKey"),
    });
    const names = Object.keys(env);
    expect(names.indexOf("COMMAFEED_DB_NAME")).toBeLessThan(names.indexOf("QUARKUS_DATASOURCE_JDBC_URL"));
    expect(run.build.databaseClaims).toEqual([
      { app: "commafeed", database: "commafeed", cluster: "commafeed-db", namespace: "commafeed" },
    ]);
    expect(find(run, "NetworkPolicy", "commafeed").spec.egress).toContainEqual({
      to: [{ podSelector: { matchLabels: { "cnpg.io/cluster": "commafeed-db" } } }],
      ports: [{ protocol: "TCP", port: 5432 }],
    });
  });

  it("generates the session key and keeps it out of the items", () => {
    expect(run.build.liveSecrets.map((s) => [s.name, s.namespace])).toEqual([
      ["commafeed-session", "commafeed"],
    ]);
    expect(run.resources.filter((r) => r.type.startsWith("random:")).map((r) => r.name)).toEqual([
      "production-commafeed-session-encryptionKey",
    ]);
    expect(JSON.stringify(run.build.items)).not.toContain(run.secretData["commafeed-session"].encryptionKey);
  });

  it("is reached on commafeed.<domain> through Traefik with cert-manager TLS", () => {
    expectTraefikRoute(run, "commafeed", COMMAFEED_PORT);
    expect(run.app.mainHost).toBe("commafeed");
  });

  it("runs as nobody on a read-only root with probes on the web root", () => {
    const c = containerOf(find(run, "Deployment", "commafeed"));
    expect(c.securityContext).toMatchObject({
      runAsUser: 65534,
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
    });
    expect(c.volumeMounts.map((m: { mountPath: string }) => m.mountPath)).toEqual([
      "/tmp",
      "/commafeed/data",
    ]);
    expect(c.startupProbe).toEqual({
      httpGet: { path: "/", port: "http" },
      periodSeconds: 5,
      failureThreshold: 24,
    });
    expect(c.livenessProbe.httpGet).toEqual({ path: "/", port: "http" });
    expect(c.readinessProbe.httpGet).toEqual({ path: "/", port: "http" });
  });

  it("passes the upstream schemas", () => {
    const results = validateSchemas(objectsOf(run));
    expect(results.filter((r) => r.status !== "valid")).toEqual([]);
  });
});

describe("CommaFeed settings and images", () => {
  it("declares arm64 for the Raspberry Pi cluster", () => {
    expect(APP_IMAGES.commafeed.commafeed.platforms).toEqual(["amd64", "arm64"]);
    expect(settings().images.commafeed?.repository).toBe("docker.io/athou/commafeed");
  });

  it("refuses an image that does not publish the cluster's architecture", () => {
    const entry = APP_IMAGES.commafeed.commafeed as { platforms: readonly string[] };
    const declared = entry.platforms;
    entry.platforms = ["amd64"];
    try {
      expect(() => settings()).toThrow(
        'Invalid config platform:clusters.production.appSettings.commafeed.images.commafeed = "docker.io/athou/commafeed": publishes amd64 only, not arm64',
      );
      expect(settings({}, "amd64").images.commafeed?.repository).toBe("docker.io/athou/commafeed");
    } finally {
      entry.platforms = declared;
    }
  });

  it("takes a namespace, host and database cluster, and refuses unknown keys", () => {
    const s = settings({ namespace: "rss", host: "feeds", postgresCluster: "pg" });
    expect([s.namespace, s.host, s.postgresCluster]).toEqual(["rss", "feeds", "pg"]);
    expect(() => settings({ hosts: "x" })).toThrow(
      "Invalid config platform:clusters.production.appSettings.commafeed.hosts",
    );
  });
});
