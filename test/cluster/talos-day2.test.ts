/**
 * Day-2 changes of a Talos cluster, as plans and offline diffs: a Cilium upgrade, a secret
 * rotation, a version bump, scaling a pool down.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as hcloud from "@pulumi/hcloud";
import { parseAllDocuments } from "yaml";
import { essentialInlineManifests } from "../../components/cluster/talos/essentials";
import { runProgram, type RecordedResource } from "../../lib/mock-runtime";
import { diffResources, diffStack, type SynthSide, type Plan } from "../../tools/diff-core";
import { synthesize, type SynthResult } from "../../tools/synth";
import { shippedSynth } from "../helpers/shipped-synth";
import type { TalosHcloudClusterConfig, Versions } from "../../config/types";
import { prod, versions, withConfig } from "./talos-fixture";

const ROOT = path.join(__dirname, "..", "..");

async function component(
  config: TalosHcloudClusterConfig = prod,
  v: Versions = versions,
  hcloudToken = "fake-token-one",
): Promise<RecordedResource[]> {
  const { TalosHcloudCluster } = await import("../../components/cluster/talos");
  const pulumi = await import("@pulumi/pulumi");
  const { resources } = await runProgram(() => {
    const provider = new hcloud.Provider("hcloud", { token: pulumi.secret("t") });
    new TalosHcloudCluster("prod", {
      config,
      services: [],
      versions: v,
      hcloudProvider: provider,
      secrets: {
        hcloudToken: pulumi.secret(hcloudToken),
        etcdBackupS3AccessKeyId: pulumi.secret("fake-ak"),
        etcdBackupS3SecretAccessKey: pulumi.secret("fake-sk"),
      },
    });
  });
  return resources;
}

const byName = (rs: RecordedResource[], name: string) => {
  const r = rs.find((x) => x.name === name);
  if (!r) throw new Error(`no resource ${name}`);
  return r;
};
const env = (r: RecordedResource) => r.inputs["environment"] as Record<string, unknown>;

describe("a Cilium upgrade", () => {
  let base: SynthSide;
  let head: SynthSide;
  beforeAll(async () => {
    // The same stage stack with versions.cilium bumped, synthesized from a copy of the stack files.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "talos-cilium-"));
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    const stage = fs.readFileSync(path.join(ROOT, "Pulumi.stage.yaml"), "utf8");
    fs.writeFileSync(
      path.join(dir, "Pulumi.stage.yaml"),
      stage.replace("config:\n", "config:\n  platform:versions:\n    cilium: 1.18.3\n"),
    );
    const side = (r: SynthResult) => ({
      plan: JSON.parse(r.files.get("plan.json")!) as Plan,
      files: r.files,
    });
    base = side(await shippedSynth("stage"));
    head = side(await synthesize("stage", dir));
    fs.rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it("is a chart upgrade of the engine's cilium release in the offline diff", () => {
    const d = diffStack("stage", base, head);
    const changes = d.clusters.flatMap((c) => c.resources);
    const app = changes.find(
      (c) => c.type === "kubernetes:argoproj.io/v1alpha1:Application" && /cilium$/.test(c.name),
    );
    expect(app?.op).toBe("update");
    expect(app?.changes.map((c) => [c.path, c.summary])).toContainEqual([
      "spec.source.targetRevision",
      '"1.18.2" -> "1.18.3"',
    ]);
  });

  it("leaves the bootstrap version where the cluster was created (ignoreChanges on its pin)", () => {
    const pin = (p: Plan) => p.resources.find((r) => r.name === "stage-cilium-bootstrap")!;
    expect(pin(head.plan).ignoreChanges).toEqual(["environment"]);
    const d = diffResources(base.plan, head.plan);
    expect(d.find((c) => c.name === "stage-cilium-bootstrap")).toBeUndefined();
  });

  it("never changes the immutable install Job for a version bump once the bootstrap version is kept", () => {
    const job = (v: Versions) =>
      essentialInlineManifests(prod, v, "1.18.2")
        .filter((m) => m.name === "cilium-install")
        .flatMap((m) => parseAllDocuments(m.contents).map((d) => d.toJS() as { kind: string }))
        .find((o) => o.kind === "Job");
    expect(job({ ...versions, cilium: "1.18.3" })).toEqual(job(versions));
  });
});

describe("a secret rotation", () => {
  let before: RecordedResource[];
  let after: RecordedResource[];
  beforeAll(async () => {
    before = await component();
    after = await component(prod, versions, "fake-token-two");
  }, 60_000);

  it("rolls out the CCM and CSI controller, which read the token from their environment", () => {
    for (const n of ["prod-restart-hcloud-cloud-controller-manager", "prod-restart-hcloud-csi-controller"]) {
      expect(env(byName(after, n)).SECRET_REVISION).toMatch(/^[0-9a-f]{16}$/);
      expect(env(byName(after, n)).SECRET_REVISION).not.toEqual(env(byName(before, n)).SECRET_REVISION);
      expect(byName(after, n).inputs["update"]).toContain("kubectl --kubeconfig");
      expect(byName(after, n).dependsOn).toContain(byName(after, "prod-secret-hcloud").urn);
    }
  });

  it("changes no machine config and no inline manifest (none carries a secret)", () => {
    for (const n of ["prod-control-plane-config", "prod-worker-config", "prod-manifests-sync"])
      expect(env(byName(after, n))).toEqual(env(byName(before, n)));
  });
});

describe("a Talos or Kubernetes version bump", () => {
  it("keeps the talosconfig, so the commands that carry it do not all re-run", async () => {
    const before = await component();
    const after = await component(prod, { ...versions, talos: "v1.11.4", kubernetes: "1.33.6" });
    expect(byName(after, "prod-talosconfig").inputs).toEqual(byName(before, "prod-talosconfig").inputs);
    expect(env(byName(after, "prod-control-plane-1-upgrade")).TALOS_VERSION).toBe("v1.11.4");
  }, 60_000);
});

describe("scaling a worker pool down", () => {
  it("deletes the server after its node leaves the cluster, with nothing protected in the way", async () => {
    const two = withConfig({
      nodePools: prod.nodePools.map((p) => (p.name === "worker" ? { ...p, count: 2 } : p)),
    });
    const before = await component(two);
    const after = await component();
    const changes = diffResources({ resources: before }, { resources: after });
    const deleted = changes.filter((c) => c.op === "delete").map((c) => c.name);
    expect(deleted).toEqual(
      expect.arrayContaining(["prod-worker-2", "prod-worker-2-leave", "prod-worker-2-init"]),
    );
    expect(changes.filter((c) => c.warning)).toEqual([]);
    const leave = byName(before, "prod-worker-2-leave");
    expect(leave.inputs["delete"]).toContain('talosctl reset --nodes "$TALOS_NODE" --graceful=true');
    expect(leave.inputs["delete"]).toContain('delete node "$NODE_NAME"');
    expect(leave.dependsOn).toContain(byName(before, "prod-worker-2").urn);
    // One node at a time: each leave waits for (is deleted before) the previous node's.
    expect(leave.dependsOn).toContain(byName(before, "prod-worker-1-leave").urn);
  }, 60_000);
});
