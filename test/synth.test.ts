import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { SECRET_PLACEHOLDER } from "../lib/mock-runtime";
import { synthesize, type SynthResult } from "../tools/synth";
import { shippedSynth } from "./helpers/shipped-synth";
import { synthAllResult } from "./setup/synth-cache";
import { chartValuePaths } from "./helm-values";
import { renderedScripts } from "./shell-scripts";

const STACKS = ["stage", "prod", "homelab"] as const;
const ROOT = path.join(__dirname, "..");

/** Every file under `dir`, by its path relative to `dir`, with its content. */
function readTree(dir: string): [string, string][] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => {
      const file = path.join(entry.parentPath, entry.name);
      return [path.relative(dir, file).split(path.sep).join("/"), fs.readFileSync(file, "utf8")];
    });
}
const results = new Map<string, SynthResult>();

beforeAll(async () => {
  for (const stack of STACKS) results.set(stack, await shippedSynth(stack));
}, 180_000);

function plan(stack: string) {
  return JSON.parse(results.get(stack)!.files.get("plan.json")!) as {
    resources: { type: string; name: string; protect: boolean; inputs: Record<string, unknown> }[];
    outputs: { clusters: Record<string, Record<string, unknown>> };
  };
}

// CI installs shellcheck (.ci/run); without it the check is skipped (Jest counts it as skipped).
const hasShellcheck = spawnSync("shellcheck", ["--version"], { encoding: "utf8" }).status === 0;
/** shellcheck codes a rendered script may carry, with the reason. Keys: the script's resource name suffix. */
const SHELLCHECK_EXCLUDES: Record<string, { codes: string[]; reason: string }> = {
  "-talosconfig.create": {
    codes: ["SC2086"],
    reason:
      "TALOS_ENDPOINTS is a space-separated list of IPv4 addresses, split on purpose into talosctl arguments; " +
      "changing the script would regenerate every live talosconfig and re-run each command that reads it",
  },
};

describe.each(STACKS)("offline synth of %s", (stack) => {
  (hasShellcheck ? it : it.skip)("renders shell scripts that pass shellcheck", () => {
    const result = results.get(stack)!;
    const scripts = renderedScripts(result.resources, result.objects);
    expect(scripts.length).toBeGreaterThan(5);
    for (const script of scripts) {
      const exclude = Object.entries(SHELLCHECK_EXCLUDES).find(([suffix]) => script.where.endsWith(suffix));
      const args = [
        `--shell=${script.shell}`,
        "--severity=style",
        ...(exclude ? ["-e", exclude[1].codes.join(",")] : []),
        "-",
      ];
      const run = spawnSync("shellcheck", args, { input: script.text, encoding: "utf8" });
      expect({ where: script.where, findings: run.stdout }).toEqual({ where: script.where, findings: "" });
    }
  });

  it("sets only Helm values verified against each chart (fixtures/upstream/helm-value-paths.json)", () => {
    const result = results.get(stack)!;
    const verified = JSON.parse(
      fs.readFileSync(path.join(__dirname, "fixtures", "upstream", "helm-value-paths.json"), "utf8"),
    ) as Record<string, { paths: string[] }>;
    const unverified: string[] = [];
    for (const [chart, paths] of chartValuePaths(result.resources, result.objects))
      for (const p of paths) if (!verified[chart]?.paths.includes(p)) unverified.push(`${chart}: ${p}`);
    expect(unverified).toEqual([]);
  });

  it("passes schema and policy checks", () => {
    const result = results.get(stack)!;
    expect(result.schema.filter((s) => s.status === "invalid")).toEqual([]);
    expect(result.policy).toEqual([]);
    expect(result.ok).toBe(true);
  });

  // The shared result came from the first suite that asked (another module registry, maybe
  // another worker); a second run must give the same bytes. Under `npm test` that run is
  // `npm run synth:all`'s, beside the suites (test/setup/synth-cache.ts): another process, on
  // the compiled program, and what it wrote to out/<stack>/ is compared. Elsewhere this
  // suite synthesizes again.
  it("is byte-identical on a second run", async () => {
    const synthAll = await synthAllResult();
    let again: [string, string][];
    if (synthAll === undefined) {
      again = [...(await synthesize(stack)).files.entries()];
    } else {
      // A failed synth:all fails the run in the teardown, with its output.
      expect(synthAll.code).toBe(0);
      again = readTree(path.join(ROOT, "out", stack));
    }
    const files = [...results.get(stack)!.files.entries()].sort(([a], [b]) => a.localeCompare(b));
    expect(again.sort(([a], [b]) => a.localeCompare(b))).toEqual(files);
  }, 300_000);

  it("exports no admin credential, only the CA and the scoped consumer ServiceAccount", () => {
    for (const cluster of Object.values(plan(stack).outputs.clusters)) {
      expect(Object.keys(cluster)).not.toContain("kubeconfig");
      expect(Object.keys(cluster)).not.toContain("talosconfig");
      expect(Object.values(cluster)).not.toContain(SECRET_PLACEHOLDER);
      // The offline kubeconfig's CA (lib/mock-runtime.ts fakeKubeconfig), not its token.
      expect(Buffer.from(String(cluster["certificateAuthorityData"]), "base64").toString()).toMatch(
        /^fake-ca-/,
      );
      expect([cluster["consumerNamespace"], cluster["consumerServiceAccount"]]).toEqual([
        "platform-consumer",
        "deployer",
      ]);
    }
  });

  it("never writes a fake secret value or a generated password into any artifact", () => {
    const result = results.get(stack)!;
    expect(result.fakes.length).toBeGreaterThan(0);
    for (const [file, content] of result.files) {
      expect({ file, leaked: /FAKE-OFFLINE-|fake-random-/.test(content) }).toEqual({ file, leaked: false });
    }
  });

  it("shows each Secret's key names with redacted values", () => {
    const secrets = plan(stack).resources.filter((r) => r.type === "kubernetes:core/v1:Secret");
    for (const secret of secrets) {
      const data = secret.inputs["stringData"] as Record<string, unknown>;
      expect({ secret: secret.name, keys: Object.keys(data).length > 0 }).toEqual({
        secret: secret.name,
        keys: true,
      });
      for (const value of Object.values(data)) expect(value).toBe(SECRET_PLACEHOLDER);
    }
  });

  it("registers exactly the reviewed resource URNs (a rename needs an alias and a fixture update)", () => {
    // Pulumi performs a rename as delete + create; for a server, a VM or a database that is
    // data loss. This list is reviewed in every pull request that changes it; regenerate with
    // UPDATE_URNS=1 npx jest test/synth.test.ts after adding the alias.
    const fixture = path.join(__dirname, "fixtures", "urns", `${stack}.txt`);
    const urns = `${results
      .get(stack)!
      .resources.map((r) => r.urn)
      .sort()
      .join("\n")}\n`;
    if (process.env["UPDATE_URNS"] === "1") {
      fs.mkdirSync(path.dirname(fixture), { recursive: true });
      fs.writeFileSync(fixture, urns);
    }
    expect(urns).toBe(fs.readFileSync(fixture, "utf8"));
  });
});

describe("stack shapes", () => {
  it("builds Talos on Hetzner with Argo CD for prod", () => {
    const types = plan("prod").resources.map((r) => r.type);
    expect(types).toContain("platform:cluster:TalosHcloudCluster");
    expect(types).toContain("platform:gitops:ArgoCdEngine");
    // Deploy mode: projects, no ApplicationSet or Application pointing at git (components/gitops).
    expect(types).toContain("kubernetes:argoproj.io/v1alpha1:AppProject");
    expect(types).toContain("kubernetes:argoproj.io/v1alpha1:Application");
    expect(types).not.toContain("kubernetes:argoproj.io/v1alpha1:ApplicationSet");
    const servers = plan("prod").resources.filter((r) => r.type === "hcloud:index/server:Server");
    // Not protected: a lower pool count deletes servers after each node left the cluster.
    expect(servers.map((s) => [s.name, s.inputs["serverType"], s.protect])).toEqual([
      ["prod-control-plane-1", "cx22", false],
      ["prod-worker-1", "cx32", false],
      // Two workers: the capacity preflight's finding (README "Capacity preflight").
      ["prod-worker-2", "cx32", false],
    ]);
  });

  it("builds K3s and k3d with Flux for homelab, the staging cluster in emit mode", () => {
    const result = results.get("homelab")!;
    const types = plan("homelab").resources.map((r) => r.type);
    expect(types).toContain("platform:cluster:K3sCluster");
    expect(types).toContain("platform:cluster:ProxmoxK3dCluster");
    expect(types.filter((t) => t === "platform:gitops:FluxEngine")).toHaveLength(2);
    const emitted = [...result.files.keys()].filter((f) => f.startsWith("gitops/"));
    expect(emitted).toContain("gitops/homelab/staging/kustomization.yaml");
    expect(emitted.some((f) => f.startsWith("gitops/homelab/production/"))).toBe(false);
  });
});

describe("chart namespaces", () => {
  it("are created with their Pod Security level before the chart, adopting the former live-Secret namespace", () => {
    const resources = plan("prod").resources as unknown as {
      type: string;
      name: string;
      aliases: string[];
      inputs: { metadata: { name: string; labels: Record<string, string> } };
    }[];
    const ns = (name: string) =>
      resources.find((r) => r.type === "kubernetes:core/v1:Namespace" && r.inputs.metadata.name === name)!;
    expect(ns("victoriametrics").inputs.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe(
      "privileged",
    );
    expect(ns("istio-system").inputs.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe(
      "privileged",
    );
    expect(ns("vpa").inputs.metadata.labels).toMatchObject({
      "pod-security.kubernetes.io/enforce": "baseline",
      "pod-security.kubernetes.io/warn": "restricted",
    });
    expect(ns("cert-manager").inputs.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe(
      "restricted",
    );
    expect(ns("cert-manager").aliases).toContain(
      "urn:pulumi:prod::platform::platform:gitops:ArgoCdEngine$kubernetes:core/v1:Namespace::prod-gitops-ns-cert-manager",
    );
  });
});

describe.each(STACKS)("rollouts of %s", (stack) => {
  // Built objects are untyped; the test reads into them freely.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  type Any = any;
  it("use Recreate (or no surge) for every Deployment that mounts a ReadWriteOnce volume", () => {
    const objects = results.get(stack)!.objects.map((o) => ({ cluster: o.cluster, obj: o.object as Any }));
    const key = (cluster: string, ns: string | undefined, name: string) => `${cluster}/${ns ?? ""}/${name}`;
    const rwo = new Set(
      objects
        .filter(
          ({ obj }) => obj.kind === "PersistentVolumeClaim" && obj.spec.accessModes.includes("ReadWriteOnce"),
        )
        .map(({ cluster, obj }) => key(cluster, obj.metadata.namespace, obj.metadata.name)),
    );
    const withRwo = objects.filter(
      ({ cluster, obj }) =>
        obj.kind === "Deployment" &&
        (obj.spec.template.spec.volumes ?? []).some(
          (v: Any) =>
            v.persistentVolumeClaim &&
            rwo.has(key(cluster, obj.metadata.namespace, v.persistentVolumeClaim.claimName)),
        ),
    );
    expect(withRwo.length).toBeGreaterThan(0);
    for (const { obj } of withRwo) {
      const strategy = obj.spec.strategy ?? { type: "RollingUpdate" };
      expect([
        obj.metadata.name,
        strategy.type === "Recreate" || strategy.rollingUpdate?.maxSurge === 0,
      ]).toEqual([obj.metadata.name, true]);
    }
  });
});

describe("placement on autoscaled nodes (prod)", () => {
  it("gives every goingdark.social workload the autoscaler pool's toleration, and no other app", () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const pods = results.get("prod")!.objects.flatMap(({ object: o }: { object: any }) =>
      ["Deployment", "StatefulSet"].includes(o.kind) && o.metadata.labels?.["app.kubernetes.io/part-of"]
        ? [
            {
              app: o.metadata.labels["app.kubernetes.io/part-of"] as string,
              tolerations: o.spec.template.spec.tolerations,
            },
          ]
        : [],
    );
    const goingdark = pods.filter((p) => /^(mastodon|hypebot|cryptpad)(-|$)/.test(p.app));
    expect(goingdark.map((p) => p.app).sort()).toEqual([
      "cryptpad",
      "hypebot",
      "mastodon-elasticsearch",
      "mastodon-redis",
    ]);
    for (const p of goingdark)
      expect([p.app, p.tolerations]).toEqual([
        p.app,
        [{ key: "autoscaler-node", operator: "Equal", value: "true", effect: "NoSchedule" }],
      ]);
    for (const p of pods.filter((x) => !goingdark.includes(x)))
      expect([p.app, p.tolerations]).toEqual([p.app, undefined]);
  });
});

describe("the Istio ingress gateway on Hetzner (prod)", () => {
  it("asks the hcloud CCM for a named Load Balancer in the cluster's location, which destroy's guard checks", () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const app: any = results
      .get("prod")!
      .objects.map((o) => o.object)
      .find(
        (o) => o.kind === "Application" && (o.metadata as { name: string }).name === "istio-ingressgateway",
      );
    expect(app.spec.source.helm.valuesObject.service.annotations).toEqual({
      "load-balancer.hetzner.cloud/name": "prod-istio-ingress",
      "load-balancer.hetzner.cloud/location": "fsn1",
      "load-balancer.hetzner.cloud/type": "lb11",
      "load-balancer.hetzner.cloud/use-private-ip": "true",
    });
    const guard = plan("prod").resources.find((r) => r.name === "prod-destroy-guard")!;
    expect((guard.inputs["environment"] as Record<string, string>)["LOAD_BALANCERS"]).toBe(
      "prod-gateway prod-istio-ingress",
    );
  });
});
