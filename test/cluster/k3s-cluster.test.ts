import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import type { K3sClusterConfig, Versions } from "../../config/types";
import { isSecretOutput, runProgram, valueOf, type RecordedResource } from "../../lib/mock-runtime";
import { K3S_KUBECONFIG, VERSIONS, fakeHostKey, piHost, productionConfig } from "./k3s-fixtures";

type K3sModule = typeof import("../../components/cluster/k3s");
let mod: K3sModule;
beforeAll(async () => {
  mod = await import("../../components/cluster/k3s");
});

const SSH_KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nfake\n-----END OPENSSH PRIVATE KEY-----";

/** SSH host and host key of each command, captured from the unredacted inputs the mock sees. */
const hostOf = new Map<string, string>();
const hostKeyOf = new Map<string, string>();

type Connection = { host?: string; hostKey?: string };
/** The connection, through the secret wrapper the mock hands over. */
function sshConnection(inputs: Record<string, unknown>): Connection {
  const connection = inputs["connection"] as Connection & { value?: Connection };
  return connection.value ?? connection;
}

async function synth(config: K3sClusterConfig, versions: Versions = VERSIONS) {
  hostOf.clear();
  hostKeyOf.clear();
  return runProgram(
    async () => {
      const cluster = new mod.K3sCluster(config.name, {
        config,
        services: [],
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
        hostOf.set(args.name, sshConnection(args.inputs).host ?? "");
        hostKeyOf.set(args.name, sshConnection(args.inputs).hostKey ?? "");
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
          ["prepare", "uninstall", "drain", "install", "uncordon", "node"].map(
            (role) => `production-cm5-${n}-${role} command:remote:Command`,
          ),
        ),
        "production-join-token command:remote:Command",
        "production-teardown command:remote:Command",
        "production-kubeconfig command:remote:Command",
        "production-k8s pulumi:providers:kubernetes",
      ].sort(),
    );
  });

  it("orders prepare -> first server -> joining servers -> kubeconfig", () => {
    const urn = (name: string) => byName(resources, name).urn;
    expect(byName(resources, "production-cm5-1-prepare").dependsOn).toEqual([]);
    expect(byName(resources, "production-cm5-1-install").dependsOn).toEqual(
      [
        urn("production-cm5-1-prepare"),
        urn("production-cm5-1-uninstall"),
        urn("production-cm5-1-drain"),
        urn("production-token"),
      ].sort(),
    );
    // Each node: drain -> install -> uncordon, then the next node; joiners need the full token.
    expect(byName(resources, "production-cm5-2-drain").dependsOn).toEqual(
      [urn("production-cm5-2-prepare"), urn("production-cm5-1-uncordon")].sort(),
    );
    expect(byName(resources, "production-cm5-2-install").dependsOn).toEqual(
      [
        urn("production-cm5-1-uncordon"),
        urn("production-cm5-2-drain"),
        urn("production-cm5-2-prepare"),
        urn("production-cm5-2-uninstall"),
        urn("production-join-token"),
      ].sort(),
    );
    expect(byName(resources, "production-join-token").dependsOn).toEqual([urn("production-cm5-1-install")]);
    expect(byName(resources, "production-cm5-3-install").dependsOn).toContain(
      urn("production-cm5-2-uncordon"),
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

  it("verifies every host's SSH host key on every connection", () => {
    for (const n of [1, 2, 3]) {
      expect(hostKeyOf.get(`production-cm5-${n}-install`)).toBe(fakeHostKey(`cm5-${n}`));
      expect(hostKeyOf.get(`production-cm5-${n}-prepare`)).toBe(fakeHostKey(`cm5-${n}`));
    }
    // Commands on another server carry that server's key.
    expect(hostKeyOf.get("production-cm5-1-node")).toBe(fakeHostKey("cm5-2"));
    expect(hostKeyOf.get("production-kubeconfig")).toBe(fakeHostKey("cm5-1"));
    const commands = resources.filter((r) => r.type === "command:remote:Command");
    for (const r of commands)
      expect({ [r.name]: hostKeyOf.get(r.name) }).toEqual({
        [r.name]: expect.stringMatching(/^ssh-ed25519 /),
      });
  });

  it("gives joining nodes the full join token (CA hash), read with logging off", () => {
    const join = byName(resources, "production-join-token");
    expect(join.inputs["create"]).toContain("$SUDO cat /var/lib/rancher/k3s/server/token");
    expect(join.inputs["logging"]).toBe("none");
    expect(join.additionalSecretOutputs).toContain("stdout");
    expect(hostOf.get("production-join-token")).toBe("10.0.40.101");
  });

  it("removes a host from another server, then uninstalls K3s on it", () => {
    const node = byName(resources, "production-cm5-3-node");
    expect(hostOf.get("production-cm5-3-node")).toBe("10.0.40.101");
    // The first server's own removal runs on the second: no server deletes its own member.
    expect(hostOf.get("production-cm5-1-node")).toBe("10.0.40.102");
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
    // Deletion runs in reverse dependency order: node (drain) -> install -> uninstall, and
    // node removals one at a time.
    expect(node.dependsOn).toEqual(
      [
        byName(resources, "production-cm5-3-install").urn,
        byName(resources, "production-cm5-2-node").urn,
      ].sort(),
    );
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
    expect(outputs.handle.ready).toHaveLength(5);
  });
});

describe("K3sCluster upgrades", () => {
  it("re-keys every install on a version bump, chained servers first, then agents", async () => {
    const hosts = [piHost(4, "agent"), piHost(1), piHost(2), piHost(3)];
    const { resources } = await synth(productionConfig({ hosts }), { ...VERSIONS, k3s: "v1.34.1+k3s1" });
    const install = (n: number) => byName(resources, `production-cm5-${n}-install`);
    const chain = [1, 2, 3, 4];
    const step = (n: number, role: string) => byName(resources, `production-cm5-${n}-${role}`);
    for (const [i, n] of chain.entries()) {
      expect((install(n).inputs["triggers"] as string[])[0]).toBe("v1.34.1+k3s1");
      expect(install(n).inputs["create"]).toContain("INSTALL_K3S_VERSION=v1.34.1+k3s1");
      // drain -> install -> uncordon, re-keyed with the install, then the next node.
      expect(step(n, "drain").inputs["triggers"]).toEqual(install(n).inputs["triggers"]);
      expect(step(n, "uncordon").inputs["triggers"]).toEqual(install(n).inputs["triggers"]);
      expect(install(n).dependsOn).toContain(step(n, "drain").urn);
      expect(step(n, "uncordon").dependsOn).toEqual([install(n).urn]);
      if (i > 0) expect(step(n, "drain").dependsOn).toContain(step(chain[i - 1], "uncordon").urn);
    }
    expect(step(2, "drain").inputs["create"]).toContain(
      "k3s kubectl drain cm5-2 --ignore-daemonsets --delete-emptydir-data --timeout=600s",
    );
    expect(step(2, "uncordon").inputs["create"]).toContain("k3s kubectl uncordon cm5-2");
    // The agent waits for the last server and nothing waits for the agent.
    expect(install(4).inputs["create"]).toContain('sh "$INSTALLER" agent --server=https://10.0.40.99:6443');
    expect(install(1).dependsOn).not.toContain(step(4, "uncordon").urn);
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
          services: [],
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
const ROLES = ["drain", "install", "node", "prepare", "uncordon", "uninstall"];

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
    expect(d.deleted).toEqual(ROLES.map((role) => `production-cm5-1-${role}`));
    expect(d.created).toEqual(ROLES.map((role) => `production-cm5-4-${role}`));
    // No remaining node's installer reruns; only the kubeconfig and join-token reads move to
    // the new first server (the token they read is the same cluster's, so no stdin changes).
    expect(d.replaced).toEqual(["production-join-token", "production-kubeconfig"]);
    // The removed host's deletes: drained from a remaining server, uninstalled on itself.
    expect(base.get("production-cm5-1-node")!.inputs["delete"]).toContain("kubectl drain cm5-1");
    expect(base.get("production-cm5-1-uninstall")!.inputs["delete"]).toContain("k3s-uninstall.sh");
  });

  it("removing an agent changes no server", async () => {
    const withAgent = await planOf(
      productionConfig({ hosts: [...productionConfig().hosts, piHost(4, "agent")] }),
    );
    const d = diff(withAgent, base);
    expect(d.deleted).toEqual(ROLES.map((role) => `production-cm5-4-${role}`));
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
    // Only cm5-3's install reruns, for its new --node-ip and SAN (its drain and uncordon
    // rerun with it and find the same version: nothing to drain).
    expect(d.replaced).toEqual([
      "production-cm5-3-drain",
      "production-cm5-3-install",
      "production-cm5-3-uncordon",
    ]);
    // Its lifecycle commands are updated (new connection), never replaced: no triggers.
    for (const role of ["uninstall", "node", "prepare"]) {
      expect(after.get(`production-cm5-3-${role}`)!.inputs["triggers"]).toBeUndefined();
    }
  });

  it("renaming a host creates the renamed resources first, whose prepare refuses the host", async () => {
    const hosts = productionConfig().hosts.map((h) => (h.name === "cm5-3" ? { ...h, name: "cm5-9" } : h));
    const after = await planOf(productionConfig({ hosts }));
    const d = diff(base, after);
    expect(d.created).toEqual(ROLES.map((role) => `production-cm5-9-${role}`));
    expect(d.deleted).toEqual(ROLES.map((role) => `production-cm5-3-${role}`));
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

describe("K3sCluster destroy", () => {
  it("marks the cluster as going before any node delete, so nodes are uninstalled without drains", async () => {
    const { resources } = await synth(productionConfig());
    const teardown = byName(resources, "production-teardown");
    const nodes = [1, 2, 3].map((n) => byName(resources, `production-cm5-${n}-node`));
    // Depending on every -node resource, the marker is deleted first on destroy ...
    expect(teardown.dependsOn).toEqual(nodes.map((n) => n.urn).sort());
    expect(teardown.inputs["delete"]).toContain(
      "$SUDO /usr/local/bin/k3s kubectl -n kube-system create configmap platform-teardown",
    );
    // ... and cleared on every up, so a failed destroy never disables later drains.
    expect(teardown.inputs["create"]).toContain("delete configmap platform-teardown --ignore-not-found");
    // ... every node delete then finds it and stops before draining or deleting a Node.
    for (const node of nodes) {
      const script = node.inputs["delete"] as string;
      expect(script.indexOf("get configmap platform-teardown")).toBeGreaterThan(0);
      expect(script.indexOf("get configmap platform-teardown")).toBeLessThan(script.indexOf("drain"));
    }
    // The uninstall of each host depends on nothing that runs on another host.
    for (const n of [1, 2, 3]) {
      expect(byName(resources, `production-cm5-${n}-uninstall`).dependsOn).toEqual([
        byName(resources, `production-cm5-${n}-prepare`).urn,
      ]);
    }
  });
});

describe("K3sCluster with a gone host", () => {
  const gone = (name: string) =>
    productionConfig().hosts.map((h) => (h.name === name ? { ...h, gone: true } : h));

  it("evicts it through another server and never connects to it", async () => {
    const { resources, outputs } = await synth(productionConfig({ hosts: gone("cm5-3") }));
    const evict = byName(resources, "production-cm5-3-evict");
    expect(hostOf.get("production-cm5-3-evict")).toBe("10.0.40.101");
    expect(evict.inputs["create"]).toContain(
      "$SUDO /usr/local/bin/k3s kubectl delete node cm5-3 --wait=true --timeout=300s",
    );
    expect(evict.inputs["create"]).not.toContain("drain");
    // Its own commands keep their state (no update reaches the host) and are retained, so
    // removing it later drops them without running their deletes.
    for (const role of ["prepare", "uninstall", "install"]) {
      const r = byName(resources, `production-cm5-3-${role}`);
      expect(r.retainOnDelete).toBe(true);
      expect(r.ignoreChanges).toEqual(
        expect.arrayContaining(["connection", "create", "delete", "stdin", "triggers"]),
      );
    }
    // No drain or uncordon is planned for it, and the live hosts' commands keep theirs.
    const names = resources.map((r) => r.name);
    expect(names).not.toContain("production-cm5-3-drain");
    expect(names).not.toContain("production-cm5-3-uncordon");
    expect(byName(resources, "production-cm5-2-install").retainOnDelete).toBe(false);
    // Only its frozen commands name its address; nothing new connects there.
    const toGone = [...hostOf.entries()].filter(([, h]) => h === "10.0.40.103").map(([n]) => n);
    expect(toGone.sort()).toEqual(
      ["install", "prepare", "uninstall"].map((role) => `production-cm5-3-${role}`).sort(),
    );
    expect(outputs.nodeAddresses).toEqual(["10.0.40.101", "10.0.40.102"]);
  });

  it("moves the kubeconfig, join token and removals off a gone first server", async () => {
    const { resources } = await synth(productionConfig({ hosts: gone("cm5-1") }));
    expect(hostOf.get("production-kubeconfig")).toBe("10.0.40.102");
    expect(hostOf.get("production-join-token")).toBe("10.0.40.102");
    expect(hostOf.get("production-teardown")).toBe("10.0.40.102");
    expect(hostOf.get("production-cm5-1-evict")).toBe("10.0.40.102");
    expect(hostOf.get("production-cm5-2-node")).toBe("10.0.40.103");
    expect(byName(resources, "production-join-token").dependsOn).toEqual([
      byName(resources, "production-cm5-2-install").urn,
    ]);
  });
});

describe("K3sCluster Kubernetes provider identity", () => {
  const providerOf = async (config: K3sClusterConfig, versions: Versions = VERSIONS) => {
    const { resources } = await synth(config, versions);
    return {
      provider: byName(resources, `${config.name}-k8s`),
      read: byName(resources, `${config.name}-kubeconfig`),
    };
  };

  it("keeps its clusterIdentifier across a K3s upgrade, so objects are updated, not replaced", async () => {
    const before = await providerOf(productionConfig());
    const after = await providerOf(productionConfig(), { ...VERSIONS, k3s: "v1.34.1+k3s1" });
    // The kubeconfig is read again (unknown at preview), which alone would replace the
    // provider and every object; a same clusterIdentifier makes it an update.
    expect(after.read.inputs["triggers"]).not.toEqual(before.read.inputs["triggers"]);
    expect(before.provider.inputs["clusterIdentifier"]).toBe("k3s/production");
    expect(after.provider.inputs["clusterIdentifier"]).toBe("k3s/production");
    expect(after.provider.inputs["deleteUnreachable"]).toBeUndefined();
  });

  it("keeps it across a cluster rename and host changes", async () => {
    const renamed = await providerOf(productionConfig({ name: "homeprod", formerNames: ["production"] }));
    expect(renamed.provider.inputs["clusterIdentifier"]).toBe("k3s/production");
    const fewer = await providerOf(productionConfig({ hosts: [piHost(2), piHost(3), piHost(4)] }));
    expect(fewer.provider.inputs["clusterIdentifier"]).toBe("k3s/production");
  });
});

describe("K3sCluster etcd snapshots", () => {
  it("sends the S3 keys to servers only, on stdin after the join token", async () => {
    const stdinOf = new Map<string, string>();
    const config = productionConfig({
      hosts: [...productionConfig().hosts, piHost(4, "agent")],
      etcdSnapshots: {
        schedule: "0 */6 * * *",
        retention: 28,
        s3Endpoint: "s3.example.org",
        s3Region: "eu-central-003",
        s3Bucket: "homelab-etcd",
        s3Folder: "k3s",
      },
    });
    const { resources } = await runProgram(
      () => {
        new mod.K3sCluster("production", {
          config,
          services: [],
          versions: VERSIONS,
          sshPrivateKey: pulumi.output(SSH_KEY),
          etcdS3Credentials: {
            accessKeyId: pulumi.secret("fake-key-id"),
            secretAccessKey: pulumi.secret("fake-secret-key"),
          },
        });
      },
      {
        outputsFor: (args) => {
          const stdin = args.inputs["stdin"] as string | { value?: string } | undefined;
          if (stdin !== undefined)
            stdinOf.set(args.name, typeof stdin === "string" ? stdin : (stdin.value ?? ""));
          if (args.name === "production-join-token") return { stdout: "K10fakehash::server:fake-token\n" };
          return args.name === "production-kubeconfig" ? { stdout: K3S_KUBECONFIG } : undefined;
        },
      },
    );
    expect(stdinOf.get("production-cm5-2-install")).toBe(
      "K10fakehash::server:fake-token\nfake-key-id\nfake-secret-key\n",
    );
    expect(stdinOf.get("production-cm5-4-install")).toBe("K10fakehash::server:fake-token\n");
    expect(stdinOf.get("production-cm5-1-install")).toMatch(/\nfake-key-id\nfake-secret-key\n$/);
    // Flags on the servers, none on the agent; the keys never in a script.
    const create = (n: number) => byName(resources, `production-cm5-${n}-install`).inputs["create"] as string;
    expect(create(2)).toContain("--etcd-s3 --etcd-s3-endpoint=s3.example.org");
    expect(create(2)).toContain("/etc/rancher/k3s/config.yaml.d/50-platform-etcd-s3.yaml");
    expect(create(4)).not.toContain("etcd-s3");
    expect(JSON.stringify(resources)).not.toContain("fake-secret-key");
  });

  it("refuses etcdSnapshots without credentials, before creating anything", async () => {
    const config = productionConfig({
      etcdSnapshots: {
        schedule: "0 */6 * * *",
        retention: 28,
        s3Endpoint: "s3.example.org",
        s3Region: "eu-central-003",
        s3Bucket: "homelab-etcd",
        s3Folder: "k3s",
      },
    });
    await expect(synth(config)).rejects.toThrow(
      'K3sCluster "production": config.etcdSnapshots is set but no etcdS3Credentials were given',
    );
  });
});
