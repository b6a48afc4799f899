/**
 * Nightscout (004) on the shipped homelab stack: FerretDB over a DocumentDB CloudNativePG
 * cluster, Nightscout on FerretDB with generated secrets, a Traefik route with cert-manager TLS.
 */
import { nightscoutSpecs } from "../../components/apps/nightscout";
import { parseNightscoutSettings } from "../../components/apps/nightscout/settings";
import { Reader } from "../../config/reader";
import type { SynthResult } from "../../tools/synth";
import { envOf, named, objectsIn, synthHomelab, type Any } from "./homelab-synth";

const KEY = "platform:clusters.production.appSettings.nightscout";
const settings = (raw: unknown, architecture: "amd64" | "arm64" = "arm64") =>
  parseNightscoutSettings(Reader.object(KEY, raw), { name: "production", architecture });

let result: SynthResult;
beforeAll(async () => {
  result = await synthHomelab();
}, 120_000);

describe("nightscout settings", () => {
  it("defaults the namespace, host, database cluster and units, and pins arm64 images", () => {
    const s = settings({});
    expect(s).toMatchObject({
      namespace: "nightscout",
      host: "nightscout",
      postgresCluster: "nightscout-db",
      displayUnits: "mg/dl",
      defaultRoles: "denied",
    });
    expect(s.images.nightscout).toEqual({
      repository: "docker.io/nightscout/cgm-remote-monitor",
      tag: "15.0.3",
    });
    expect(s.images.ferretdb).toEqual({ repository: "ghcr.io/ferretdb/ferretdb", tag: "2.7.0" });
  });

  it("rejects unknown units with the accepted ones", () => {
    expect(() => settings({ displayUnits: "mmol/l" })).toThrow(`${KEY}.displayUnits`);
  });

  it("keeps the health data private unless defaultRoles opts into readable", () => {
    const env = (raw: Record<string, unknown>) => {
      const [, nightscout] = nightscoutSpecs(settings(raw), "home.example.org");
      return Object.values(nightscout.controllers)[0].containers["nightscout"].env ?? {};
    };
    expect(env({})["AUTH_DEFAULT_ROLES"]).toBe("denied");
    expect(env({ defaultRoles: "readable" })["AUTH_DEFAULT_ROLES"]).toBe("readable");
    expect(() => settings({ defaultRoles: "Readable!" })).toThrow(`${KEY}.defaultRoles`);
  });
});

describe("nightscout specs", () => {
  const [ferretdb, nightscout] = nightscoutSpecs(settings({}), "home.example.org");
  it("claims a database for FerretDB and hands it over as FERRETDB_POSTGRESQL_URL", () => {
    expect(ferretdb.name).toBe("ferretdb");
    expect(ferretdb.database).toEqual({ cluster: "nightscout-db", env: "FERRETDB_POSTGRESQL_URL" });
    expect(nightscout.database).toBeUndefined();
    expect(nightscout.talksTo).toEqual([{ app: "ferretdb", port: 27017 }]);
  });
});

describe("nightscout on homelab", () => {
  const ns = (kind: string, cluster = "production") => objectsIn(result, cluster, "nightscout", kind);

  it("passes the schemas and the policy pack", () => {
    expect(result.schema.filter((s) => s.status === "invalid")).toEqual([]);
    expect(result.policy).toEqual([]);
  });

  it("runs FerretDB on the DocumentDB cluster with Nightscout's role in the DocumentDB admin role", () => {
    const cluster = named(ns("Cluster"), "nightscout-db");
    expect(cluster.spec.imageName).toBe("ghcr.io/ferretdb/postgres-documentdb:17-0.107.0-ferretdb-2.7.0");
    expect(cluster.spec.postgresql.shared_preload_libraries).toContain("pg_documentdb");
    expect(cluster.spec.managed.roles).toEqual([
      {
        name: "ferretdb",
        ensure: "present",
        login: true,
        passwordSecret: { name: "postgres-ferretdb-user" },
        inRoles: ["documentdb_admin_role"],
      },
    ]);
    const ferretdb = named(ns("Deployment"), "ferretdb");
    expect(envOf(ferretdb).FERRETDB_POSTGRESQL_URL).toEqual({
      secretKeyRef: { name: "postgres-ferretdb-user", key: "uri" },
    });
    expect(ferretdb.spec.template.spec.containers[0].ports).toEqual([
      { name: "mongodb", containerPort: 27017, protocol: "TCP" },
    ]);
  });

  it("gives Nightscout its Mongo URI on FerretDB, a generated API_SECRET and the env its README requires", () => {
    const nightscout = named(ns("Deployment"), "nightscout");
    const env = envOf(nightscout);
    const uri = "mongodb://$(MONGO_USER):$(MONGO_PASSWORD)@ferretdb:27017/nightscout";
    expect(env.MONGODB_URI).toBe(uri);
    expect(env.MONGO_CONNECTION).toBe(uri);
    expect(env.MONGO_USER).toEqual({ secretKeyRef: { name: "postgres-ferretdb-user", key: "username" } });
    expect(env.MONGO_PASSWORD).toEqual({ secretKeyRef: { name: "postgres-ferretdb-user", key: "password" } });
    expect(env.API_SECRET).toEqual({ secretKeyRef: { name: "nightscout-api", key: "secret" } });
    expect(env).toMatchObject({
      MONGODB_COLLECTION: "entries",
      DISPLAY_UNITS: "mg/dl",
      BASE_URL: "https://nightscout.ronaldlokers.nl",
      INSECURE_USE_HTTP: "true",
      PORT: "1337",
    });
    // The credentials expand from entries listed before the URI (dependent env vars).
    const names = (nightscout.spec.template.spec.containers[0].env as Any[]).map((e) => e.name);
    expect(names.indexOf("MONGO_PASSWORD")).toBeLessThan(names.indexOf("MONGODB_URI"));
    const plan = JSON.parse(result.files.get("plan.json")!);
    const apiSecret = plan.resources.find(
      (r: Any) =>
        r.type === "random:index/randomPassword:RandomPassword" &&
        r.name === "production-nightscout-api-secret",
    );
    expect(apiSecret.inputs.length).toBeGreaterThanOrEqual(12);
  });

  it("routes nightscout.<domain> through Traefik with a cert-manager certificate", () => {
    const ingress = named(ns("Ingress"), "nightscout");
    expect(ingress.spec.ingressClassName).toBe("traefik");
    expect(ingress.spec.rules[0].host).toBe("nightscout.ronaldlokers.nl");
    expect(ingress.spec.tls[0].hosts).toEqual(["nightscout.ronaldlokers.nl"]);
    expect(ingress.metadata.annotations["cert-manager.io/cluster-issuer"]).toBe("letsencrypt-production");
  });

  it("runs on staging (amd64) as well, in its own namespace", () => {
    expect(
      ns("Deployment", "staging")
        .map((d) => d.metadata.name)
        .sort(),
    ).toEqual(["ferretdb", "nightscout"]);
  });
});
