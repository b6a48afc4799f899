/**
 * Mastodon wired into the prod stack end to end: a copy of Pulumi.prod.yaml with the web and
 * streaming images pinned by digest (fake digests: the real ones are the operator's to set),
 * and the offline synth of that copy.
 */
import type { SynthResult } from "../../tools/synth";
import { shippedSynth } from "../helpers/shipped-synth";
import { synthEdited } from "./stack-synth";

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const DIGEST = `sha256:${"0".repeat(64)}`;
let result: SynthResult;
let shipped: SynthResult;

beforeAll(async () => {
  result = await synthEdited("prod", (doc) =>
    doc.setIn(["config", "platform:clusters", "prod", "appSettings", "mastodon", "images"], {
      mastodon: `ghcr.io/glitch-soc/mastodon:v4.5.0-beta.2@${DIGEST}`,
      streaming: `ghcr.io/glitch-soc/mastodon-streaming:v4.5.0-beta.2@${DIGEST}`,
    }),
  );
  shipped = await shippedSynth("prod");
}, 120_000);

const objects = (r: SynthResult, kind: string): Any[] =>
  r.objects
    .map((o) => o.object as Any)
    .filter((o) => o.kind === kind && (o.metadata.namespace === "mastodon" || kind === "PriorityClass"));
const plan = (r: SynthResult): Any => JSON.parse(r.files.get("plan.json")!);

describe("Mastodon on prod, once its images are pinned by digest", () => {
  it("passes the schemas and the policy pack", () => {
    expect(result.schema.filter((s) => s.status === "invalid")).toEqual([]);
    expect(result.policy).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it("runs web, streaming, four Sidekiq workers, Redis, Elasticsearch and the migration", () => {
    expect(
      objects(result, "Deployment")
        .map((d) => d.metadata.name)
        .sort(),
    ).toEqual([
      "mastodon-sidekiq-background",
      "mastodon-sidekiq-default",
      "mastodon-sidekiq-federation",
      "mastodon-sidekiq-scheduler",
      "mastodon-streaming",
      "mastodon-web",
    ]);
    expect(
      objects(result, "StatefulSet")
        .map((d) => d.metadata.name)
        .sort(),
    ).toEqual(["mastodon-elasticsearch", "mastodon-redis"]);
    expect(objects(result, "Job").map((j) => j.metadata.name.replace(/-[0-9a-f]{8}$/, ""))).toEqual([
      "mastodon-migrate",
      "mastodon-post-deploy-db-migrate",
      "mastodon-post-deploy-search-deploy",
    ]);
    const web = objects(result, "Deployment").find((d) => d.metadata.name === "mastodon-web")!;
    expect(web.spec.template.spec.containers[0].image).toBe(
      `ghcr.io/glitch-soc/mastodon:v4.5.0-beta.2@${DIGEST}`,
    );
    expect(objects(result, "PriorityClass").map((p) => [p.metadata.name, p.value])).toEqual([
      ["mastodon-critical", 1000000],
      ["mastodon-high", 900000],
    ]);
  });

  it("routes / to web:3000 and /api/v1/streaming to streaming:4000 on mastodon.goingdark.social", () => {
    const routes = objects(result, "HTTPRoute").map((r) => [
      r.spec.hostnames[0],
      r.spec.rules[0].matches[0].path.value,
      r.spec.rules[0].backendRefs[0].name,
      r.spec.rules[0].backendRefs[0].port,
    ]);
    expect(routes.sort()).toEqual([
      ["mastodon.goingdark.social", "/", "mastodon-web", 3000],
      ["mastodon.goingdark.social", "/api/v1/streaming", "mastodon-streaming", 4000],
    ]);
  });

  it("claims one mastodon database on its own CloudNativePG cluster, backed up, before the migration", () => {
    const [cluster] = objects(result, "Cluster");
    expect(cluster.metadata.name).toBe("mastodon-db");
    // 002: PostgreSQL is one of the stateful workloads at mastodon-critical.
    expect(cluster.spec.priorityClassName).toBe("mastodon-critical");
    expect(cluster.spec.managed.roles.map((r: Any) => r.name)).toEqual(["mastodon"]);
    expect(objects(result, "Database").map((d) => [d.spec.name, d.spec.owner])).toEqual([
      ["mastodon", "mastodon"],
    ]);
    // Base backups and WAL to the prod bucket (serviceSettings.cloudnative-pg.backup).
    expect(cluster.spec.plugins[0].parameters).toEqual({
      barmanObjectName: "mastodon-db-backup",
      serverName: "mastodon-db",
    });
    const [store] = objects(result, "ObjectStore");
    expect(store.spec.configuration.destinationPath).toBe("s3://goingdark-cnpg-backups-prod/postgres");
    const resources: Any[] = plan(result).resources;
    const byUrn = new Map(resources.map((r) => [r.urn as string, r]));
    const urnOf = (kind: string, name: string): string =>
      resources.find((r) => r.type.endsWith(`:${kind}`) && r.name.includes(`mastodon-${name}`))!.urn;
    const waitsFor = (urn: string, seen = new Set<string>()): Set<string> => {
      for (const d of (byUrn.get(urn)?.dependsOn ?? []) as string[])
        if (!seen.has(d)) {
          seen.add(d);
          waitsFor(d, seen);
        }
      return seen;
    };
    const job = urnOf("Job", "migrate");
    expect(waitsFor(job)).toContain(urnOf("Cluster", "db"));
    for (const d of ["web", "sidekiq-default", "sidekiq-scheduler", "streaming"])
      expect(waitsFor(urnOf("Deployment", d))).toContain(job);
  });

  it("verifies the database server against the cluster's CA (002: verify-ca), mounting only ca.crt", () => {
    for (const d of objects(result, "Deployment").filter((x) => x.metadata.name !== "mastodon-redis")) {
      const pod = d.spec.template.spec;
      expect([d.metadata.name, pod.volumes.find((v: Any) => v.name === "database-ca")]).toEqual([
        d.metadata.name,
        {
          name: "database-ca",
          secret: {
            secretName: "mastodon-db-ca",
            items: [{ key: "ca.crt", path: "ca.crt" }],
            defaultMode: 0o444,
          },
        },
      ]);
      for (const c of pod.containers)
        expect(c.volumeMounts).toContainEqual({ name: "database-ca", mountPath: "/etc/postgresql-ca" });
    }
    // The URI (verify-ca with that CA path) is a secret; test/platform/cloudnative-pg.test.ts checks it.
  });

  it("scrapes web, streaming and the Sidekiq workers", () => {
    expect(
      objects(result, "VMServiceScrape")
        .map((s) => s.metadata.name)
        .sort(),
    ).toEqual([
      "mastodon-sidekiq-background",
      "mastodon-sidekiq-default",
      "mastodon-sidekiq-federation",
      "mastodon-sidekiq-scheduler",
      "mastodon-streaming",
      "mastodon-web",
    ]);
  });
});

describe("Mastodon on the shipped prod stack file (no digests yet)", () => {
  it("runs its datastores and says which images it waits for", () => {
    expect(
      objects(shipped, "StatefulSet")
        .map((d) => d.metadata.name)
        .sort(),
    ).toEqual(["mastodon-elasticsearch", "mastodon-redis"]);
    expect(objects(shipped, "Deployment")).toEqual([]);
    expect(shipped.summary).toContain("mastodon/mastodon, mastodon/streaming");
  });
});
