import type { RecordedResource } from "../../lib/mock-runtime";
import { toYaml } from "../../tools/plan";
import {
  changedPaths,
  diffResources,
  diffStack,
  fitComment,
  pathCovered,
  renderMarkdown,
  renderText,
  unifiedDiff,
  type Plan,
  type SynthSide,
} from "../../tools/diff-core";

/** A recorded resource with the defaults the mock runtime records. */
function res(
  stack: string,
  type: string,
  name: string,
  extra: Partial<RecordedResource> & { parentType?: string } = {},
): RecordedResource {
  const { parentType, ...rest } = extra;
  const qualified = parentType ? `${parentType.split("$").pop()}$${type}` : type;
  return {
    urn: `urn:pulumi:${stack}::platform::${qualified}::${name}`,
    type,
    name,
    custom: !type.startsWith("platform:"),
    dependsOn: [],
    protect: false,
    retainOnDelete: false,
    ignoreChanges: [],
    deleteBeforeReplace: false,
    replaceOnChanges: [],
    additionalSecretOutputs: [],
    inputs: {},
    ...rest,
  };
}

const TALOS = "platform:cluster:TalosHcloudCluster";
const SERVER = "hcloud:index/server:Server";

function cluster(stack: string, name: string, type = TALOS): RecordedResource {
  return res(stack, type, name);
}

function child(parent: RecordedResource, type: string, name: string, extra: Partial<RecordedResource> = {}) {
  return res(parent.urn.split("::")[0].split(":")[2], type, name, {
    parent: parent.urn,
    parentType: parent.type,
    ...extra,
  });
}

function side(
  resources: RecordedResource[],
  clusters: string[],
  files: Record<string, string> = {},
): SynthSide {
  const plan: Plan = {
    resources,
    outputs: { clusters: Object.fromEntries(clusters.map((c) => [c, { name: c }])) },
  };
  return { plan, files: new Map(Object.entries(files)) };
}

function deployment(image: string) {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "steady-web", namespace: "steady" },
    spec: {
      selector: { matchLabels: { app: "steady-web" } },
      template: { spec: { containers: [{ name: "web", image }] } },
    },
  };
}

function job(image: string) {
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name: "steady-migrate", namespace: "steady" },
    spec: { template: { spec: { restartPolicy: "Never", containers: [{ name: "migrate", image }] } } },
  };
}

describe("property paths", () => {
  it("lists every changed leaf, a new subtree as one path", () => {
    expect(
      changedPaths(
        { a: 1, b: { c: [1, 2] }, "x-y": "s" },
        { a: 1, b: { c: [1, 3], d: { e: 1 } }, "x-y": "t" },
      ),
    ).toEqual(["b.c[1]", "b.d", '["x-y"]']);
  });

  it("matches a pattern against the path and everything below it", () => {
    expect(pathCovered("spec.template.spec", "spec.template")).toBe(true);
    expect(pathCovered("spec.templateX", "spec.template")).toBe(false);
    expect(pathCovered("spec.containers[3].image", "spec.containers[*].image")).toBe(true);
    expect(pathCovered("anything", "*")).toBe(true);
  });
});

describe("a node-pool addition", () => {
  const base = cluster("prod", "prod");
  const worker = child(base, SERVER, "prod-worker-1", {
    protect: true,
    inputs: { serverType: "cx32", location: "fsn1", image: "424242" },
  });
  const before = side([base, worker], ["prod"]);
  const pool = child(base, "hcloud:index/placementGroup:PlacementGroup", "prod-big-placement", {
    inputs: { type: "spread" },
  });
  const big = child(base, SERVER, "prod-big-1", {
    protect: true,
    inputs: { serverType: "cx42", location: "fsn1", image: "424242" },
  });
  const after = side([base, worker, pool, big], ["prod"]);

  it("creates the pool's resources on the cluster and warns about nothing", () => {
    const d = diffStack("prod", before, after);
    expect(d.clusters.map((c) => c.cluster)).toEqual(["prod"]);
    expect(d.clusters[0].resources.map((r) => [r.op, r.name, r.warning])).toEqual([
      ["create", "prod-big-placement", undefined],
      ["create", "prod-big-1", undefined],
    ]);
    expect(renderText(d)).toBe(
      [
        "stack prod: 2 to create, 0 to update, 0 to replace, 0 to delete",
        "",
        "== prod: 2 to create, 0 to update, 0 to replace, 0 to delete, 0 files changed",
        "+  create  hcloud:index/placementGroup:PlacementGroup prod-big-placement",
        "+  create  hcloud:index/server:Server prod-big-1",
        "",
      ].join("\n"),
    );
  });

  it("resizes a server in place but replaces it on a new location, with a warning", () => {
    const resized = { ...worker, inputs: { ...worker.inputs, serverType: "cx42" } };
    expect(diffResources(before.plan, side([base, resized], ["prod"]).plan)).toEqual([
      {
        op: "update",
        urn: worker.urn,
        type: SERVER,
        name: "prod-worker-1",
        changes: [
          {
            path: "serverType",
            summary: '"cx32" -> "cx42"',
            forcesReplace: false,
            note: "the server is powered off to change its type",
          },
        ],
        warning: undefined,
      },
    ]);
    const moved = { ...worker, inputs: { ...worker.inputs, location: "nbg1" } };
    const [change] = diffResources(before.plan, side([base, moved], ["prod"]).plan);
    expect(change.op).toBe("replace");
    expect(change.warning).toBe(
      "replaces protected hcloud:index/server:Server prod-worker-1: `pulumi up` stops on it until it is unprotected; a replacement starts it empty. Add an alias if this is a rename.",
    );
  });

  it("does not count an input listed in ignoreChanges", () => {
    const ignoring = { ...worker, ignoreChanges: ["image"] };
    const rebuilt = { ...ignoring, inputs: { ...worker.inputs, image: "999" } };
    expect(
      diffResources(side([base, ignoring], ["prod"]).plan, side([base, rebuilt], ["prod"]).plan),
    ).toEqual([]);
  });
});

describe("an app image bump", () => {
  const prod = cluster("prod", "prod");
  const provider = child(prod, "pulumi:providers:kubernetes", "prod-provider");
  const kube = (type: string, name: string, inputs: Record<string, unknown>) =>
    child(prod, type, name, { provider: provider.urn, inputs });
  const files = (image: string) => ({
    "manifests/prod/deployment_steady_steady-web.yaml": toYaml(deployment(image)),
    "manifests/prod/job_steady_steady-migrate.yaml": toYaml(job(image)),
  });
  const before = side(
    [
      prod,
      provider,
      kube(
        "kubernetes:apps/v1:Deployment",
        "steady-web",
        deployment("ghcr.io/hitchai-app/platform-backend:1.4.0"),
      ),
      kube("kubernetes:batch/v1:Job", "steady-migrate", job("ghcr.io/hitchai-app/platform-backend:1.4.0")),
    ],
    ["prod"],
    files("ghcr.io/hitchai-app/platform-backend:1.4.0"),
  );
  const after = side(
    [
      prod,
      provider,
      kube(
        "kubernetes:apps/v1:Deployment",
        "steady-web",
        deployment("ghcr.io/hitchai-app/platform-backend:1.5.0"),
      ),
      kube("kubernetes:batch/v1:Job", "steady-migrate", job("ghcr.io/hitchai-app/platform-backend:1.5.0")),
    ],
    ["prod"],
    files("ghcr.io/hitchai-app/platform-backend:1.5.0"),
  );

  it("updates the Deployment and replaces the immutable migration Job", () => {
    const d = diffStack("prod", before, after);
    expect(d.clusters[0].resources.map((r) => [r.op, r.name, r.changes.map((c) => c.path)])).toEqual([
      ["update", "steady-web", ["spec.template.spec.containers[0].image"]],
      ["replace", "steady-migrate", ["spec.template.spec.containers[0].image"]],
    ]);
  });

  it("prints the manifests' unified diff under the cluster", () => {
    const text = renderText(diffStack("prod", before, after));
    expect(text).toContain(
      [
        "files: 2 changed",
        "--- a/manifests/prod/deployment_steady_steady-web.yaml",
        "+++ b/manifests/prod/deployment_steady_steady-web.yaml",
        "@@ -11,4 +11,4 @@",
        "     spec:",
        "       containers:",
        "         - name: web",
        "-          image: ghcr.io/hitchai-app/platform-backend:1.4.0",
        "+          image: ghcr.io/hitchai-app/platform-backend:1.5.0",
      ].join("\n"),
    );
    expect(text).toContain(
      '      spec.template.spec.containers[0].image: "ghcr.io/hitchai-app/platform-backend:1.4.0" -> "ghcr.io/hitchai-app/platform-backend:1.5.0" (forces replacement)',
    );
  });

  it("never prints a secret value, even one the plan holds in clear", () => {
    const secret = kube("kubernetes:core/v1:Secret", "steady-db", {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "steady-db", namespace: "steady" },
      stringData: { uri: "postgres://fake-a" },
    });
    const rotated = { ...secret, inputs: { ...secret.inputs, stringData: { uri: "postgres://fake-b" } } };
    const token = child(prod, "command:local:Command", "prod-token", {
      inputs: { environment: { API_TOKEN: "a" } },
    });
    const token2 = { ...token, inputs: { environment: { API_TOKEN: "b" } } };
    const text = renderText(
      diffStack(
        "prod",
        side([prod, provider, secret, token], ["prod"]),
        side([prod, provider, rotated, token2], ["prod"]),
      ),
    );
    expect(text).toContain("      stringData.uri: [secret] changed (forces replacement)");
    expect(text).toContain("      environment.API_TOKEN: [secret] changed");
    expect(text).not.toMatch(/fake-a|fake-b|"a" ->/);
  });

  it("shows long strings around their first difference", () => {
    const cmd = child(prod, "command:local:Command", "prod-config", {
      inputs: {
        environment: {
          PATCH: `{"machine":{"install":{"image":"factory.talos.dev/x"}},"bucket":"etcd-stage"}`,
        },
      },
    });
    const changed = {
      ...cmd,
      inputs: {
        environment: {
          PATCH: `{"machine":{"install":{"image":"factory.talos.dev/x"}},"bucket":"etcd-prod"}`,
        },
      },
    };
    const [change] = diffResources(side([cmd], []).plan, side([changed], []).plan);
    expect(change.changes[0].summary).toBe(
      '...x\\"}},\\"bucket\\":\\"etcd-stage\\"}" -> ...x\\"}},\\"bucket\\":\\"etcd-prod\\"}"',
    );
  });
});

describe("an app enabled on another cluster", () => {
  const production = cluster("homelab", "production", "platform:cluster:K3sCluster");
  const staging = cluster("homelab", "staging", "platform:cluster:ProxmoxK3dCluster");
  const common = {
    "gitops/homelab/production/apps/kustomization.yaml": "resources:\n  - linkding.yaml\n",
    "gitops/homelab/production/apps/linkding.yaml": "kind: Kustomization\nmetadata:\n  name: linkding\n",
  };
  const before = side([production, staging], ["production", "staging"], {
    ...common,
    "gitops/homelab/staging/apps/kustomization.yaml": "resources: []\n",
  });
  const after = side([production, staging], ["production", "staging"], {
    ...common,
    "gitops/homelab/staging/apps/kustomization.yaml": "resources:\n  - linkding.yaml\n",
    "gitops/homelab/staging/apps/linkding.yaml": "kind: Kustomization\nmetadata:\n  name: linkding\n",
  });

  it("groups the emitted files under that cluster only", () => {
    const d = diffStack("homelab", before, after);
    expect(d.clusters.map((c) => [c.cluster, c.files.map((f) => [f.path, f.status])])).toEqual([
      [
        "staging",
        [
          ["gitops/homelab/staging/apps/kustomization.yaml", "modified"],
          ["gitops/homelab/staging/apps/linkding.yaml", "added"],
        ],
      ],
    ]);
    expect(d.clusters[0].files[1].diff).toEqual([
      "--- /dev/null",
      "+++ b/gitops/homelab/staging/apps/linkding.yaml",
      "@@ -0,0 +1,3 @@",
      "+kind: Kustomization",
      "+metadata:",
      "+  name: linkding",
    ]);
  });
});

describe("an engine switch", () => {
  const prod = cluster("prod", "prod");
  const flux = child(prod, "platform:gitops:FluxEngine", "prod-flux");
  const fluxNs = child(flux, "kubernetes:core/v1:Namespace", "prod-flux-namespace", {
    retainOnDelete: true,
    inputs: { apiVersion: "v1", kind: "Namespace", metadata: { name: "flux-system" } },
  });
  const crd = child(flux, "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition", "prod-flux-crds", {
    inputs: { apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition" },
  });
  const fluxInstall = child(flux, "kubernetes:yaml/v2:ConfigFile", "prod-flux-install");
  const argo = child(prod, "platform:gitops:ArgoCdEngine", "prod-argocd");
  const argoNs = child(argo, "kubernetes:core/v1:Namespace", "prod-argocd-namespace", {
    retainOnDelete: true,
    inputs: { apiVersion: "v1", kind: "Namespace", metadata: { name: "argocd" } },
  });
  const before = side([prod, flux, fluxNs, crd, fluxInstall], ["prod"]);
  const after = side([prod, argo, argoNs], ["prod"]);
  const d = diffStack("prod", before, after);

  it("creates the new engine, deletes the old one and warns for each stateful object", () => {
    expect(d.clusters[0].resources.map((r) => [r.op, r.name])).toEqual([
      ["create", "prod-argocd"],
      ["create", "prod-argocd-namespace"],
      ["delete", "prod-flux"],
      ["delete", "prod-flux-crds"],
      ["delete", "prod-flux-namespace"],
      ["delete", "prod-flux-install"],
    ]);
    expect(
      renderText(d)
        .split("\n")
        .filter((l) => l.startsWith("WARNING")),
    ).toEqual([
      "WARNING prod: deletes stateful kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition prod-flux-crds: its data is lost. Add an alias if this is a rename.",
      "WARNING prod: deletes retained kubernetes:core/v1:Namespace prod-flux-namespace: Pulumi forgets it and leaves the old one running; clean it up by hand.",
      "WARNING prod: deletes kubernetes:yaml/v2:ConfigFile prod-flux-install: everything it installed goes with it, CRDs and every custom resource of their kinds included.",
    ]);
  });

  it("renders a collapsed markdown section per cluster with the warnings above", () => {
    const md = renderMarkdown(d);
    expect(md.split("\n").slice(0, 8)).toEqual([
      "### `prod`: 2 to create, 0 to update, 0 to replace, 4 to delete",
      "",
      "> [!WARNING]",
      "> prod: deletes stateful kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition prod-flux-crds: its data is lost. Add an alias if this is a rename.  ",
      "> prod: deletes retained kubernetes:core/v1:Namespace prod-flux-namespace: Pulumi forgets it and leaves the old one running; clean it up by hand.  ",
      "> prod: deletes kubernetes:yaml/v2:ConfigFile prod-flux-install: everything it installed goes with it, CRDs and every custom resource of their kinds included.  ",
      "",
      "<details>",
    ]);
    expect(md).toContain(
      "<summary><b>prod</b>: 2 to create, 0 to update, 0 to replace, 4 to delete; 0 files changed</summary>",
    );
  });

  it("truncates a long section with a count", () => {
    const md = renderMarkdown(d, { maxLines: 2 });
    expect(md).toContain(
      [
        "```diff",
        "+  create  platform:gitops:ArgoCdEngine prod-argocd",
        "+  create  kubernetes:core/v1:Namespace prod-argocd-namespace",
        "... 4 more lines not shown (run `npm run diff -- prod` for all of it)",
        "```",
      ].join("\n"),
    );
  });
});

describe("stack outputs", () => {
  it("lists a changed output of the contract, secrets redacted", () => {
    const base: SynthSide = {
      plan: {
        resources: [],
        outputs: { clusters: { prod: { ingress: "traefik", kubeconfig: "[secret]" } } },
      },
      files: new Map(),
    };
    const head: SynthSide = {
      plan: {
        resources: [],
        outputs: { clusters: { prod: { ingress: "gateway-api", kubeconfig: "[secret]" } } },
      },
      files: new Map(),
    };
    const d = diffStack("prod", base, head);
    expect(d.outputs).toEqual([{ path: "clusters.prod.ingress", summary: '"traefik" -> "gateway-api"' }]);
    expect(renderText(d)).toContain(
      'stack outputs (read by other stacks through a StackReference):\n  ~ clusters.prod.ingress: "traefik" -> "gateway-api"\n',
    );
    expect(renderMarkdown(d)).toContain(
      "<summary><b>stack outputs</b>: 1 changed (read by other stacks)</summary>",
    );
    expect(renderText(diffStack("prod", base, base))).toBe("stack prod: no changes\n");
  });
});

describe("unified diff and comment size", () => {
  it("merges nearby changes into one hunk and keeps distant ones apart", () => {
    const a = Array.from({ length: 20 }, (_, i) => `line ${i}`);
    const b = [...a];
    b[2] = "changed 2";
    b[4] = "changed 4";
    b[17] = "changed 17";
    const diff = unifiedDiff("f.yaml", `${a.join("\n")}\n`, `${b.join("\n")}\n`);
    expect(diff.filter((l) => l.startsWith("@@"))).toEqual(["@@ -1,8 +1,8 @@", "@@ -15,6 +15,6 @@"]);
    expect(unifiedDiff("f.yaml", "x\n", "x\n")).toEqual([]);
  });

  it("cuts a comment over GitHub's limit and closes the open fence", () => {
    const body = `<details>\n\n\`\`\`diff\n${"+ x\n".repeat(100)}`;
    const cut = fitComment(body, 50);
    expect(
      cut.endsWith("\n```\n</details>\n\n... 369 more characters not shown; run `npm run diff` locally.\n"),
    ).toBe(true);
  });
});
