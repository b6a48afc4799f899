import * as hcloud from "@pulumi/hcloud";
import { runProgram, type RecordedResource } from "../../lib/mock-runtime";
import { prod, versions, withConfig } from "./talosFixture";
import type { TalosHcloudClusterConfig } from "../../config/types";

async function synth(config: TalosHcloudClusterConfig = prod) {
  const { TalosHcloudCluster } = await import("../../components/cluster/talos");
  const pulumi = await import("@pulumi/pulumi");
  return runProgram(() => {
    const provider = new hcloud.Provider("hcloud", { token: pulumi.secret("t") });
    const c = new TalosHcloudCluster("prod", {
      config,
      versions,
      hcloudProvider: provider,
      secrets: {
        hcloudToken: pulumi.secret("tok"),
        etcdBackupS3AccessKeyId: pulumi.secret("ak"),
        etcdBackupS3SecretAccessKey: pulumi.secret("sk"),
      },
    });
    return { handle: c.handle };
  });
}

const byName = (rs: RecordedResource[], name: string) => {
  const r = rs.find((x) => x.name === name);
  if (!r) throw new Error(`no resource ${name}`);
  return r;
};

describe("TalosHcloudCluster", () => {
  let resources: RecordedResource[];
  beforeAll(async () => {
    ({ resources } = await synth());
  });

  it("creates exactly these children", () => {
    expect(
      resources
        .filter((r) => r.parent?.endsWith("::prod"))
        .map((r) => r.name)
        .sort(),
    ).toEqual(
      [
        "prod-network",
        "prod-subnet",
        "prod-firewall",
        "prod-control-plane-placement",
        "prod-worker-placement",
        "prod-autoscaler-placement",
        "prod-control-plane-1-ip",
        "prod-secrets",
        "prod-control-plane-config",
        "prod-worker-config",
        "prod-autoscaler-config",
        "prod-talosconfig",
        "prod-control-plane-1",
        "prod-worker-1",
        "prod-bootstrap",
        "prod-health",
        "prod-kubeconfig",
        "prod-control-plane-1-upgrade",
        "prod-worker-1-upgrade",
        "prod-k8s-upgrade",
        "prod-control-plane-1-apply",
        "prod-worker-1-apply",
        "prod-k8s",
        "prod-csi-luks-passphrase",
        "prod-manifests-sync",
      ].sort(),
    );
  });

  it("never replaces a server for a config or image change and protects servers", () => {
    for (const name of ["prod-control-plane-1", "prod-worker-1"]) {
      const s = byName(resources, name);
      expect(s.ignoreChanges).toEqual(["userData", "image"]);
      expect(s.protect).toBe(true);
      expect(s.inputs.userData).toBe("[secret]");
    }
    const cp = byName(resources, "prod-control-plane-1");
    expect(cp.inputs).toMatchObject({
      deleteProtection: true,
      rebuildProtection: true,
      serverType: "cx22",
      image: "123456",
    });
    expect(byName(resources, "prod-worker-1").inputs).toMatchObject({
      deleteProtection: false,
      rebuildProtection: false,
      serverType: "cx32",
    });
  });

  it("applies later config changes through the Talos API, staged when a reboot is needed", () => {
    const apply = byName(resources, "prod-worker-1-apply");
    expect(apply.inputs.create).toBe("true");
    expect(apply.inputs.update).toContain("--mode=no-reboot || talosctl apply-config");
    expect(apply.inputs.update).toContain("--mode=staged");
    expect((apply.inputs.environment as Record<string, unknown>).MACHINE_CONFIG).toBe("[secret]");
  });

  it("upgrades one node at a time, control plane first, then Kubernetes, then configs", () => {
    const urn = (n: string) => byName(resources, n).urn;
    // Only the chain's ordering resources (talosconfig is a data dependency of every step).
    const chain = (n: string) =>
      byName(resources, n).dependsOn.filter((d) => !d.endsWith("::prod-talosconfig"));
    expect(chain("prod-control-plane-1-upgrade")).toEqual([urn("prod-health")]);
    expect(chain("prod-worker-1-upgrade")).toEqual([urn("prod-control-plane-1-upgrade")]);
    expect(chain("prod-k8s-upgrade")).toEqual([urn("prod-worker-1-upgrade")]);
    expect(chain("prod-control-plane-1-apply").filter((d) => !d.includes("-config"))).toEqual([
      urn("prod-k8s-upgrade"),
    ]);
    expect(chain("prod-worker-1-apply").filter((d) => !d.includes("-config"))).toEqual([
      urn("prod-control-plane-1-apply"),
    ]);
    expect(byName(resources, "prod-k8s-upgrade").inputs.update).toContain("talosctl upgrade-k8s");
    // Bootstrap manifests re-sync after the new configs are applied, keyed on their hash.
    const sync = byName(resources, "prod-manifests-sync");
    expect(chain("prod-manifests-sync")).toEqual([urn("prod-worker-1-apply")]);
    expect(sync.inputs.create).toBe("true");
    expect(sync.inputs.update).toContain(
      'talosctl upgrade-k8s --nodes "$TALOS_NODE" --to "$KUBERNETES_VERSION"',
    );
    expect((sync.inputs.environment as Record<string, unknown>).MANIFESTS_HASH).toMatch(/^[0-9a-f]{64}$/);
  });

  it("keeps machine secrets once, bootstraps once, and marks secret outputs", () => {
    const secrets = byName(resources, "prod-secrets");
    expect(secrets).toMatchObject({
      protect: true,
      ignoreChanges: ["create", "environment"],
      additionalSecretOutputs: ["stdout"],
    });
    expect(byName(resources, "prod-bootstrap").ignoreChanges).toEqual(["create", "environment"]);
    expect(byName(resources, "prod-bootstrap").inputs.update).toBeUndefined();
    for (const n of ["prod-talosconfig", "prod-kubeconfig", "prod-control-plane-config"]) {
      expect(byName(resources, n).additionalSecretOutputs).toEqual(["stdout"]);
    }
  });

  it("ships the essentials' Secrets inside the machine config, secret end to end", () => {
    // The CCM needs `hcloud` before any node is initialised: inline manifests, not live Secrets.
    for (const n of ["prod-control-plane-config", "prod-worker-config", "prod-autoscaler-config"]) {
      const gen = byName(resources, n);
      expect((gen.inputs.environment as Record<string, unknown>).TALOS_PATCH).toBe("[secret]");
      expect(gen.additionalSecretOutputs).toEqual(["stdout"]);
    }
    expect(byName(resources, "prod-csi-luks-passphrase").protect).toBe(true);
    const dump = JSON.stringify(resources);
    expect(dump).not.toMatch(/\b(tok|ak|sk)\b/);
    expect(byName(resources, "prod-k8s").inputs.enableServerSideApply).toBe("true");
  });

  it("allows exactly the 002 firewall rules", () => {
    const rules = byName(resources, "prod-firewall").inputs.rules as Array<Record<string, unknown>>;
    expect(rules.map((r) => [r.protocol, r.port].join("/"))).toEqual([
      "tcp/6443",
      "tcp/50000",
      "udp/8443",
      "udp/32768-65535",
    ]);
  });

  it("validates before creating anything", async () => {
    await expect(synth(withConfig({ nodePools: [{ ...prod.nodePools[0], count: 2 }] }))).rejects.toThrow(
      "etcd needs an odd number",
    );
  });
});
