/**
 * pgAdmin (004, production only) on the shipped homelab stack: generated admin password,
 * the env its entrypoint requires, the opt-outs the image forces, egress to every CNPG cluster.
 */
import { databaseEgress, pgadminSpecs } from "../../components/apps/pgadmin";
import { parsePgadminSettings } from "../../components/apps/pgadmin/settings";
import { Reader } from "../../config/reader";
import type { SynthResult } from "../../tools/synth";
import { envOf, named, objectsIn, synthHomelab } from "./homelab-synth";

const KEY = "platform:clusters.production.appSettings.pgadmin";
const settings = (raw: Record<string, unknown>) =>
  parsePgadminSettings(Reader.object(KEY, raw), { name: "production", architecture: "arm64" });

let result: SynthResult;
beforeAll(async () => {
  result = await synthHomelab();
}, 120_000);

describe("pgadmin settings", () => {
  it("defaults the namespace, host and volume, and pins an arm64 image", () => {
    expect(settings({})).toEqual({
      namespace: "pgadmin",
      host: "pgadmin",
      storageSize: "1Gi",
      images: { pgadmin: { repository: "docker.io/dpage/pgadmin4", tag: "9.8" } },
      databases: [],
    });
    expect(() => settings({ email: "admin" })).toThrow(`${KEY}.email`);
    expect(settings({ databases: ["immich/immich-db"] }).databases).toEqual([
      { namespace: "immich", cluster: "immich-db" },
    ]);
    expect(() => settings({ databases: ["immich-db"] })).toThrow(`${KEY}.databases[0]`);
  });
});

describe("pgadmin spec", () => {
  it("reaches the listed database clusters through its own egress rule, and none without a list", () => {
    expect(pgadminSpecs(settings({}), "example.org")[0].extraEgress).toBeUndefined();
    const [spec] = pgadminSpecs(settings({ databases: ["immich/immich-db"] }), "example.org");
    expect(spec.extraEgress).toEqual([databaseEgress([{ namespace: "immich", cluster: "immich-db" }])]);
    expect(databaseEgress([{ namespace: "immich", cluster: "immich-db" }])).toEqual({
      to: [
        {
          namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "immich" } },
          podSelector: { matchLabels: { "cnpg.io/cluster": "immich-db" } },
        },
      ],
      ports: [{ protocol: "TCP", port: 5432 }],
    });
  });
});

describe("pgadmin on homelab", () => {
  const pg = (kind: string, cluster = "production") => objectsIn(result, cluster, "pgadmin", kind);

  it("runs on production only", () => {
    expect(pg("Deployment").map((d) => d.metadata.name)).toEqual(["pgadmin"]);
    expect(pg("Deployment", "staging")).toEqual([]);
  });

  it("sets the required login env with a generated password, on an unprivileged port", () => {
    const deployment = named(pg("Deployment"), "pgadmin");
    expect(envOf(deployment)).toEqual({
      PGADMIN_DEFAULT_EMAIL: "admin@ronaldlokers.nl",
      PGADMIN_DEFAULT_PASSWORD: { secretKeyRef: { name: "pgadmin-admin", key: "password" } },
      PGADMIN_LISTEN_PORT: "8080",
      PGADMIN_DISABLE_POSTFIX: "true",
    });
    const c = deployment.spec.template.spec.containers[0];
    expect(c.securityContext).toMatchObject({
      runAsUser: 5050,
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: false,
      capabilities: { drop: ["ALL"], add: ["NET_BIND_SERVICE"] },
    });
    expect(Object.keys(deployment.metadata.annotations).sort()).toEqual([
      "security.platform.io/pgadmin.capabilities",
      "security.platform.io/pgadmin.readOnlyRootFilesystem",
    ]);
  });

  it("reaches the PostgreSQL port of the database clusters it administers only, and is routed with TLS", () => {
    const policy = named(pg("NetworkPolicy"), "pgadmin");
    const admin = (policy.spec.egress as { ports: { port: number }[] }[]).filter((r) =>
      r.ports.some((p) => p.port === 5432),
    );
    // Pulumi.homelab.yaml: appSettings.pgadmin.databases.
    expect(admin).toEqual([
      {
        to: [
          "commafeed/commafeed-db",
          "immich/immich-db",
          "linkding/linkding-db",
          "nightscout/nightscout-db",
          "speedtest-tracker/speedtest-tracker-db",
        ].map((ref) => {
          const [namespace, cluster] = ref.split("/");
          return {
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": namespace } },
            podSelector: { matchLabels: { "cnpg.io/cluster": cluster } },
          };
        }),
        ports: [{ protocol: "TCP", port: 5432 }],
      },
    ]);
    // No wildcard: nothing selects every namespace or every database cluster.
    expect(JSON.stringify(policy.spec.egress)).not.toMatch(/"namespaceSelector":\{\}|"operator":"Exists"/);
    const ingress = named(pg("Ingress"), "pgadmin");
    expect(ingress.spec.rules[0].host).toBe("pgadmin.ronaldlokers.nl");
    expect(ingress.spec.tls[0].hosts).toEqual(["pgadmin.ronaldlokers.nl"]);
  });
});
