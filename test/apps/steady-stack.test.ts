/**
 * Steady wired into the prod stack end to end: the image_update flow sets the three service
 * images in a copy of Pulumi.prod.yaml, and the offline synth of that copy shows the whole
 * app with its database, ordering and outputs.
 */
import { parseDocument } from "yaml";
import type { SynthResult } from "../../tools/synth";
import { shippedSynth } from "../helpers/shipped-synth";
import { updateStackFile } from "../../tools/update-image";
import { synthEdited } from "./stack-synth";

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let result: SynthResult;
let shipped: SynthResult;

beforeAll(async () => {
  // Steady's images set the way CI sets them (the image_update flow), then the migration commands.
  result = await synthEdited("prod", (doc) => {
    let text = doc.toString();
    for (const [image, tag] of [
      ["platform-backend", "1.4.0"],
      ["inference-backend", "2.0.1"],
      ["dev-ui", "0.9.3"],
    ]) {
      text = updateStackFile("prod", text, {
        app: "steady",
        image,
        reference: `ghcr.io/hitchai-app/${image}:${tag}`,
        branch: "prod",
      }).text;
    }
    doc.contents = parseDocument(text).contents;
    doc.setIn(["config", "platform:clusters", "prod", "appSettings", "steady", "migrationCommands"], {
      "platform-backend": ["node", "dist/migrate.js"],
      "inference-backend": ["node", "dist/migrate.js"],
    });
  });
  shipped = await shippedSynth("prod");
}, 120_000);

const objects = (r: SynthResult, kind: string): Any[] =>
  r.objects
    .map((o) => o.object as Any)
    .filter((o) => o.kind === kind && o.metadata.namespace === "steady-prod");
const plan = (r: SynthResult): Any => JSON.parse(r.files.get("plan.json")!);

describe("Steady on prod, once CI has set its images", () => {
  it("passes the schemas and the policy pack", () => {
    expect(result.schema.filter((s) => s.status === "invalid")).toEqual([]);
    expect(result.policy).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it("runs every Steady workload in steady-prod", () => {
    expect(
      objects(result, "Deployment")
        .map((d) => d.metadata.name)
        .sort(),
    ).toEqual(["centrifugo", "dev-ui", "inference-backend", "litellm", "platform-backend"]);
    expect(objects(result, "StatefulSet").map((d) => d.metadata.name)).toEqual(["valkey"]);
    expect(
      objects(result, "Job")
        .map((j) => j.metadata.name.replace(/-[0-9a-f]{8}$/, ""))
        .sort(),
    ).toEqual(["inference-backend-migration", "platform-backend-migration"]);
    const backend = objects(result, "Deployment").find((d) => d.metadata.name === "platform-backend")!;
    expect(backend.spec.template.spec.containers[0].image).toBe("ghcr.io/hitchai-app/platform-backend:1.4.0");
  });

  it("gives each database user a role and a Database on the one-instance postgres cluster", () => {
    const [cluster] = objects(result, "Cluster");
    expect(cluster.metadata.name).toBe("postgres");
    expect(cluster.spec.instances).toBe(1);
    expect(cluster.spec.managed.roles.map((r: Any) => [r.name, r.passwordSecret.name])).toEqual([
      ["litellm", "postgres-litellm-user"],
      ["platform-backend", "postgres-platform-backend-user"],
      ["inference-backend", "postgres-inference-backend-user"],
    ]);
    expect(objects(result, "Database").map((d) => [d.spec.name, d.spec.owner])).toEqual([
      ["inference-backend", "inference-backend"],
      ["litellm", "litellm"],
      ["platform-backend", "platform-backend"],
    ]);
    // The role passwords live in basic-auth Secrets applied live, values redacted in the plan.
    const secrets = plan(result).resources.filter(
      (r: Any) => r.type === "kubernetes:core/v1:Secret" && r.inputs.metadata.namespace === "steady-prod",
    );
    const byName = Object.fromEntries(secrets.map((s: Any) => [s.inputs.metadata.name, s.inputs]));
    expect(byName["postgres-platform-backend-user"].type).toBe("kubernetes.io/basic-auth");
    expect(Object.keys(byName["postgres-platform-backend-user"].stringData).sort()).toEqual([
      "password",
      "uri",
      "username",
    ]);
    expect(byName["ghcr-pull-secret"].type).toBe("kubernetes.io/dockerconfigjson");
  });

  it("orders the namespace, the database, the migrations and the workloads", () => {
    const resources: Any[] = plan(result).resources;
    const byUrn = new Map(resources.map((r) => [r.urn as string, r]));
    const urnOf = (kind: string, name: string): string =>
      resources.find((r) => r.type.endsWith(`:${kind}`) && r.name.includes(`steady-prod-${name}`))!.urn;
    /** Everything a resource waits for, directly or through what it waits for. */
    const waitsFor = (urn: string, seen = new Set<string>()): Set<string> => {
      for (const d of (byUrn.get(urn)?.dependsOn ?? []) as string[])
        if (!seen.has(d)) {
          seen.add(d);
          waitsFor(d, seen);
        }
      return seen;
    };
    const job = urnOf("Job", "platform-backend-migration");
    const deployment = urnOf("Deployment", "platform-backend");
    expect(waitsFor(deployment)).toContain(job);
    expect(waitsFor(job)).toContain(urnOf("Cluster", "postgres"));
    expect(waitsFor(job)).toContain(urnOf("StatefulSet", "valkey"));
    const namespace = resources.find(
      (r) => r.type === "kubernetes:core/v1:Namespace" && r.inputs.metadata.name === "steady-prod",
    )!.urn;
    expect(waitsFor(urnOf("Cluster", "postgres"))).toContain(namespace);
    expect(waitsFor(job)).not.toContain(deployment);
  });

  it("exports the app URL and each database's connection facts", () => {
    const outputs = plan(result).outputs;
    expect(outputs.apps["prod/steady"]).toEqual({ cluster: "prod", url: "https://app.goingdark.social" });
    expect(outputs.databases["prod/platform-backend"]).toEqual({
      cluster: "prod",
      host: "postgres-rw.steady-prod.svc",
      port: "5432",
      database: "platform-backend",
      namespace: "steady-prod",
      credentialsSecret: "postgres-platform-backend-user",
    });
  });
});

describe("Steady on the shipped prod stack file (no CI image yet)", () => {
  it("deploys its shared services and says which images it waits for", () => {
    expect(
      objects(shipped, "Deployment")
        .map((d) => d.metadata.name)
        .sort(),
    ).toEqual(["centrifugo", "litellm"]);
    expect(shipped.summary).toContain("steady/platform-backend, steady/inference-backend, steady/dev-ui");
  });
});
