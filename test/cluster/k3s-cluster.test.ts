import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import type { K3sClusterConfig, Versions } from "../../config/types";
import { isSecretOutput, runProgram, valueOf, type RecordedResource } from "../../lib/mock-runtime";
import { K3S_KUBECONFIG, VERSIONS, piHost, productionConfig } from "./k3s-fixtures";

type K3sModule = typeof import("../../components/cluster/k3s");
let mod: K3sModule;
beforeAll(async () => {
  mod = await import("../../components/cluster/k3s");
});

const SSH_KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nfake\n-----END OPENSSH PRIVATE KEY-----";

/** SSH host of each command, captured from the unredacted inputs the mock sees. */
const hostOf = new Map<string, string>();

/** The connection's host, through the secret wrapper the mock hands over. */
function sshHost(inputs: Record<string, unknown>): string {
  const connection = inputs["connection"] as { host?: string; value?: { host: string } };
  return connection.host ?? connection.value?.host ?? "";
}

async function synth(config: K3sClusterConfig, versions: Versions = VERSIONS) {
  hostOf.clear();
  return runProgram(
    async () => {
      const cluster = new mod.K3sCluster(config.name, {
        config,
        versions,
        sshPrivateKey: pulumi.output(SSH_KEY),
      });
      const h = cluster.handle;
      return {
        handle: h,
        kubeconfig: await valueOf(h.kubeconfig),
        kubeconfigSecret: await isSecretOutput(h.kubeconfig),
        apiEndpoint: await valueOf(h.apiEndpoint),
        loadBalancerAddress: await valueOf(h.loadBalancerAddress),
        nodeAddresses: await valueOf(h.nodeAddresses),
      };
    },
    {
      outputsFor: (args) => {
        if (args.type !== "command:remote:Command") return undefined;
        hostOf.set(args.name, sshHost(args.inputs));
        return args.name.endsWith("-kubeconfig") ? { stdout: K3S_KUBECONFIG } : undefined;
      },
    },
  );
}

const byName = (resources: RecordedResource[], name: string): RecordedResource => {
  const found = resources.find((r) => r.name === name);
  if (!found) throw new Error(`no resource named ${name}; have ${resources.map((r) => r.name).join(", ")}`);
  return found;
};

describe("K3sCluster", () => {
  let resources: RecordedResource[];
  let outputs: Awaited<ReturnType<typeof synth>>["outputs"];
  beforeAll(async () => {
    ({ resources, outputs } = await synth(productionConfig()));
  });

  it("creates exactly these children, each parented to the component", () => {
    const component = byName(resources, "production");
    expect(component.type).toBe("platform:cluster:K3sCluster");
    const children = resources.filter((r) => r.parent === component.urn);
    expect(children.map((r) => `${r.name} ${r.type}`).sort()).toEqual(
      [
        "production-token random:index/randomPassword:RandomPassword",
        ...[1, 2, 3].flatMap((n) =>
          ["prepare", "uninstall", "install", "node"].map(
            (role) => `production-cm5-${n}-${role} command:remote:Command`,
          ),
        ),
        "production-kubeconfig command:remote:Command",
        "production-k8s pulumi:providers:kubernetes",
      ].sort(),
    );
  });

  it("orders prepare -> first server -> joining servers -> kubeconfig", () => {
    const urn = (name: string) => byName(resources, name).urn;
    expect(byName(resources, "production-cm5-1-prepare").dependsOn).toEqual([]);
    expect(byName(resources, "production-cm5-1-install").dependsOn).toEqual(
      [urn("production-cm5-1-prepare"), urn("production-cm5-1-uninstall"), urn("production-token")].sort(),
    );
    expect(byName(resources, "production-cm5-2-install").dependsOn).toEqual(
      [
        urn("production-cm5-1-install"),
        urn("production-cm5-2-prepare"),
        urn("production-cm5-2-uninstall"),
        urn("production-token"),
      ].sort(),
    );
    expect(byName(resources, "production-cm5-3-install").dependsOn).toContain(
      urn("production-cm5-2-install"),
    );
    expect(byName(resources, "production-kubeconfig").dependsOn).toEqual(
      [1, 2, 3].map((n) => urn(`production-cm5-${n}-install`)).sort(),
    );
  });

  it("may run --cluster-init on the first server only; every node joins through the API VIP", () => {
    const create = (n: number) => byName(resources, `production-cm5-${n}-install`).inputs["create"] as string;
    expect(create(1)).toContain("  DATASTORE=--cluster-init");
    for (const n of [1, 2, 3]) {
      expect(create(n)).toContain("  DATASTORE=--server=https://10.0.40.99:6443");
      expect(create(n)).toContain('sh "$INSTALLER" server "$DATASTORE" --token-file=');
      expect(create(n)).not.toContain("10.0.40.101:6443");
    }
    for (const n of [2, 3]) expect(create(n)).not.toContain("--cluster-init");
    expect(create(1)).toContain("INSTALL_K3S_VERSION=v1.33.5+k3s1");
  });

  it("passes the generated join token as secret stdin, and the SSH key as a secret", () => {
    for (const n of [1, 2, 3]) {
      const install = byName(resources, `production-cm5-${n}-install`);
      expect(install.inputs["stdin"]).toBe("[secret]");
      // The connection carries the private key, so the whole connection is secret.
      expect(install.inputs["connection"]).toBe("[secret]");
      expect(hostOf.get(`production-cm5-${n}-install`)).toBe(`10.0.40.10${n}`);
    }
    expect(byName(resources, "production-token").inputs).toMatchObject({ length: 64, special: false });
    expect(byName(resources, "production-token").additionalSecretOutputs).toContain("result");
    expect(JSON.stringify(resources)).not.toContain("fake-random-production-token");
    expect(JSON.stringify(resources)).not.toContain("OPENSSH PRIVATE KEY");
  });

  it("keys each install on version and flags, so a rerun with nothing changed does nothing", () => {
    const triggers = byName(resources, "production-cm5-2-install").inputs["triggers"] as string[];
    expect(triggers.slice(0, 4)).toEqual([
      "v1.33.5+k3s1",
      "arm64",
      "server",
      "--token-file=/etc/rancher/k3s/cluster-token",
    ]);
    // Nothing in the triggers names another node or the datastore flag.
    expect(triggers.join(" ")).not.toMatch(/--server=|--cluster-init/);
  });

  it("drains a removed host from the first server, then uninstalls K3s on it", () => {
    const node = byName(resources, "production-cm5-3-node");
    expect(hostOf.get("production-cm5-3-node")).toBe("10.0.40.101");
    expect(node.inputs["delete"]).toContain("k3s kubectl drain cm5-3 --ignore-daemonsets");
    const uninstall = byName(resources, "production-cm5-3-uninstall");
    expect(hostOf.get("production-cm5-3-uninstall")).toBe("10.0.40.103");
    expect(uninstall.inputs["delete"]).toContain("/usr/local/bin/k3s-uninstall.sh");
    // A connection change updates these (the delete then reaches the current address); only
    // triggers replace a command, and a replacement would run the delete: they have none.
    for (const r of [node, uninstall]) {
      expect(r.ignoreChanges).toEqual([]);
      expect(r.inputs["triggers"]).toBeUndefined();
    }
    // Deletion runs in reverse dependency order: node (drain) -> install -> uninstall.
    expect(node.dependsOn).toEqual([byName(resources, "production-cm5-3-install").urn]);
    expect(byName(resources, "production-cm5-3-install").dependsOn).toContain(uninstall.urn);
    // Installs have no delete: replacing one for an upgrade never uninstalls.
    expect(byName(resources, "production-cm5-3-install").inputs["delete"]).toBeUndefined();
  });

  it("leaves a removed host's resources out of the program, so the engine runs their deletes", async () => {
    const { resources: fewer } = await synth(productionConfig({ hosts: [piHost(1)] }));
    expect(fewer.filter((r) => r.name.startsWith("production-cm5-3"))).toEqual([]);
    expect(fewer.map((r) => r.name)).toContain("production-cm5-1-node");
  });

  it("reads the kubeconfig as a secret and rewrites it to the API VIP kube-vip serves", () => {
    const read = byName(resources, "production-kubeconfig");
    expect(read.additionalSecretOutputs).toContain("stdout");
    expect(read.inputs["create"]).toContain("$SUDO cat /etc/rancher/k3s/k3s.yaml");
    expect(outputs.kubeconfigSecret).toBe(true);
    const doc = parse(outputs.kubeconfig);
    expect(doc.clusters[0].cluster.server).toBe("https://10.0.40.99:6443");
    expect(doc["current-context"]).toBe("production");
    const provider = byName(resources, "production-k8s");
    expect(provider.inputs["kubeconfig"]).toBe("[secret]");
    expect(provider.inputs["enableServerSideApply"]).toBe("true");
  });

  it("exposes the cluster contract", () => {
    expect(outputs.handle.name).toBe("production");
    expect(outputs.handle.kind).toBe("k3s");
    // The API on kube-vip's VIP; ingress on MetalLB's (not the same address, see validate).
    expect(outputs.apiEndpoint).toBe("https://10.0.40.99:6443");
    expect(outputs.loadBalancerAddress).toBe("10.0.40.100");
    expect(outputs.nodeAddresses).toEqual(["10.0.40.101", "10.0.40.102", "10.0.40.103"]);
    expect(outputs.handle.capabilities).toMatchObject({
      loadBalancer: "metallb",
      ingress: "traefik",
      architecture: "arm64",
    });
    expect(outputs.handle.ready).toHaveLength(4);
  });
});

describe("K3sCluster upgrades", () => {
  it("re-keys every install on a version bump, chained servers first, then agents", async () => {
    const hosts = [piHost(4, "agent"), piHost(1), piHost(2), piHost(3)];
    const { resources } = await synth(productionConfig({ hosts }), { ...VERSIONS, k3s: "v1.34.1+k3s1" });
    const install = (n: number) => byName(resources, `production-cm5-${n}-install`);
    const chain = [1, 2, 3, 4];
    for (const [i, n] of chain.entries()) {
      expect((install(n).inputs["triggers"] as string[])[0]).toBe("v1.34.1+k3s1");
      expect(install(n).inputs["create"]).toContain("INSTALL_K3S_VERSION=v1.34.1+k3s1");
      if (i > 0) expect(install(n).dependsOn).toContain(install(chain[i - 1]).urn);
    }
    // The agent waits for the last server and nothing waits for the agent.
    expect(install(4).inputs["create"]).toContain('sh "$INSTALLER" agent --server=https://10.0.40.99:6443');
    expect(install(1).dependsOn).not.toContain(install(4).urn);
    // The kubeconfig depends on the servers only.
    expect(byName(resources, "production-kubeconfig").dependsOn).not.toContain(install(4).urn);
  });
});

describe("K3sCluster validation", () => {
  it("fails before creating anything, naming the argument", async () => {
    await expect(synth(productionConfig({ hosts: [piHost(1), piHost(2)] }))).rejects.toThrow(
      'K3sCluster "production": config.hosts has 2 server(s) (cm5-1, cm5-2); embedded etcd needs an odd number',
    );
  });
});

describe("K3sCluster preview of a fresh stack", () => {
  it("builds in preview mode, the provider's kubeconfig secret", async () => {
    const { resources } = await runProgram(
      () => {
        new mod.K3sCluster("production", {
          config: productionConfig(),
          versions: VERSIONS,
          sshPrivateKey: pulumi.output(SSH_KEY),
        });
      },
      {
        preview: true,
        outputsFor: (args) =>
          args.name === "production-kubeconfig" ? { stdout: K3S_KUBECONFIG } : undefined,
      },
    );
    expect(byName(resources, "production-k8s").inputs["kubeconfig"]).toBe("[secret]");
  });
});

/**
 * What each config change does, read off two recorded plans: the engine creates resources
 * whose names are new, deletes those whose names are gone (running their `delete`), replaces
 * a command whose `triggers` changed and updates one whose other inputs changed.
 */
describe("K3sCluster config changes on the recorded plan", () => {
  type Plan = Map<string, RecordedResource>;
  const planOf = async (config: K3sClusterConfig): Promise<Plan> => {
    const { resources } = await synth(config);
    return new Map(resources.filter((r) => r.custom).map((r) => [r.name, r]));
  };
  const diff = (before: Plan, after: Plan) => ({
    created: [...after.keys()].filter((n) => !before.has(n)).sort(),
    deleted: [...before.keys()].filter((n) => !after.has(n)).sort(),
    replaced: [...after.keys()]
      .filter((n) => before.has(n))
      .filter(
        (n) =>
          JSON.stringify(before.get(n)!.inputs["triggers"]) !==
          JSON.stringify(after.get(n)!.inputs["triggers"]),
      )
      .sort(),
  });
  let base: Plan;
  beforeAll(async () => {
    base = await planOf(productionConfig());
  });

  it("removing the first server deletes its resources (drain, uninstall) and reruns no other installer", async () => {
    const after = await planOf(productionConfig({ hosts: [piHost(2), piHost(3), piHost(4)] }));
    const d = diff(base, after);
    expect(d.deleted).toEqual(
      ["install", "node", "prepare", "uninstall"].map((role) => `production-cm5-1-${role}`),
    );
    expect(d.created).toEqual(
      ["install", "node", "prepare", "uninstall"].map((role) => `production-cm5-4-${role}`),
    );
    // No remaining node's installer reruns; only the kubeconfig read moves to the new first server.
    expect(d.replaced).toEqual(["production-kubeconfig"]);
    // The removed host's deletes: drained from a remaining server, uninstalled on itself.
    expect(base.get("production-cm5-1-node")!.inputs["delete"]).toContain("kubectl drain cm5-1");
    expect(base.get("production-cm5-1-uninstall")!.inputs["delete"]).toContain("k3s-uninstall.sh");
  });

  it("removing an agent changes no server", async () => {
    const withAgent = await planOf(
      productionConfig({ hosts: [...productionConfig().hosts, piHost(4, "agent")] }),
    );
    const d = diff(withAgent, base);
    expect(d.deleted).toEqual(
      ["install", "node", "prepare", "uninstall"].map((role) => `production-cm5-4-${role}`),
    );
    expect(d.created).toEqual([]);
    expect(d.replaced).toEqual([]);
  });

  it("changing a host's address updates its resources in place; only its install reruns", async () => {
    const hosts = productionConfig().hosts.map((h) =>
      h.name === "cm5-3" ? { ...h, address: "10.0.40.113" } : h,
    );
    const after = await planOf(productionConfig({ hosts }));
    const d = diff(base, after);
    expect(d.created).toEqual([]);
    expect(d.deleted).toEqual([]);
    // Only cm5-3's install reruns, for its new --node-ip and SAN.
    expect(d.replaced).toEqual(["production-cm5-3-install"]);
    // Its lifecycle commands are updated (new connection), never replaced: no triggers.
    for (const role of ["uninstall", "node", "prepare"]) {
      expect(after.get(`production-cm5-3-${role}`)!.inputs["triggers"]).toBeUndefined();
    }
  });

  it("renaming a host creates the renamed resources first, whose prepare refuses the host", async () => {
    const hosts = productionConfig().hosts.map((h) => (h.name === "cm5-3" ? { ...h, name: "cm5-9" } : h));
    const after = await planOf(productionConfig({ hosts }));
    const d = diff(base, after);
    expect(d.created).toEqual(
      ["install", "node", "prepare", "uninstall"].map((role) => `production-cm5-9-${role}`),
    );
    expect(d.deleted).toEqual(
      ["install", "node", "prepare", "uninstall"].map((role) => `production-cm5-3-${role}`),
    );
    // Creates run before deletes; the first create on the host is its prepare, which stops
    // the update while the host still runs K3s as cm5-3 ...
    const prepare = after.get("production-cm5-9-prepare")!.inputs["create"] as string;
    expect(prepare).toContain(`  "  "|*" --node-name=cm5-9 "*) ;;`);
    expect(prepare).toContain("renaming a node in place is not supported");
    // ... and the old uninstall leaves a host alone that runs another node.
    expect(base.get("production-cm5-3-uninstall")!.inputs["delete"]).toContain(
      "this host now runs another K3s node than cm5-3; not uninstalling",
    );
  });

  it("renaming the cluster renames every child; formerNames alias each to its old name", async () => {
    const { resources } = await synth(productionConfig({ name: "homeprod", formerNames: ["production"] }));
    const names = resources.filter((r) => r.custom).map((r) => r.name);
    expect(names).toContain("homeprod-cm5-1-uninstall");
    expect(names.filter((n) => n.startsWith("production-"))).toEqual([]);
    // The engine matches old state through these aliases (the mock does not record aliases).
    expect(mod.k3sChildAliases(["production"], "cm5-1-uninstall")).toEqual([
      { name: "production-cm5-1-uninstall" },
    ]);
    expect(mod.k3sChildAliases([], "token")).toEqual([]);
    // Without formerNames, hosts of the old cluster are refused before anything changes.
    const guard = mod.renderIdentityGuard(productionConfig({ name: "homeprod" }), piHost(1));
    expect(guard).toContain(`  ""|homeprod) ;;`);
  });

  it("destroy deletes every host's resources: drain from the first server, then uninstall", () => {
    for (const n of [1, 2, 3]) {
      expect(base.get(`production-cm5-${n}-node`)!.inputs["delete"]).toContain(`kubectl drain cm5-${n}`);
      expect(base.get(`production-cm5-${n}-uninstall`)!.inputs["delete"]).toContain("k3s-uninstall.sh");
      expect(base.get(`production-cm5-${n}-install`)!.inputs["delete"]).toBeUndefined();
    }
  });
});
