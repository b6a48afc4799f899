import * as hcloud from "@pulumi/hcloud";
import { runProgram, type RecordedResource } from "../../lib/mock-runtime";
import { prod, versions, withConfig } from "./talos-fixture";
import type { TalosHcloudClusterConfig } from "../../config/types";

async function synth(config: TalosHcloudClusterConfig = prod) {
  const { TalosHcloudCluster } = await import("../../components/cluster/talos");
  const pulumi = await import("@pulumi/pulumi");
  return runProgram(() => {
    const provider = new hcloud.Provider("hcloud", { token: pulumi.secret("t") });
    const c = new TalosHcloudCluster("prod", {
      config,
      services: [],
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
        "prod-autoscaler-subnet",
        "prod-firewall",
        "prod-control-plane-placement",
        "prod-worker-placement",
        "prod-ssh-key-bytes",
        "prod-ssh-key",
        "prod-control-plane-1-ip",
        "prod-cilium-bootstrap",
        "prod-secrets",
        "prod-control-plane-config",
        "prod-worker-config",
        "prod-autoscaler-config",
        "prod-talosconfig",
        "prod-control-plane-1",
        "prod-worker-1",
        "prod-control-plane-1-init",
        "prod-worker-1-init",
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
        "prod-secret-hcloud",
        "prod-secret-hcloud-csi-luks",
        "prod-secret-talos-backup-s3",
        "prod-restart-hcloud-cloud-controller-manager",
        "prod-restart-hcloud-csi-controller",
        "prod-deny-hcloud-metadata",
        "prod-manifests-sync",
        "prod-control-plane-1-leave",
        "prod-worker-1-leave",
        "prod-destroy-guard",
        "prod-etcd-backup-age-key",
        "prod-etcd-backup-age-identity",
      ].sort(),
    );
  });

  it("boots servers without user data, never replaces them for an image change, and does not protect them", () => {
    for (const name of ["prod-control-plane-1", "prod-worker-1"]) {
      const s = byName(resources, name);
      expect(s.ignoreChanges).toEqual(["image", "sshKeys"]);
      expect(s.protect).toBe(false);
      expect(s.inputs.userData).toBeUndefined();
      expect(s.inputs.sshKeys).toEqual([expect.stringMatching(/^\d+$/)]);
      expect([s.inputs.deleteProtection, s.inputs.rebuildProtection]).toEqual([undefined, undefined]);
    }
    expect(byName(resources, "prod-control-plane-1").inputs).toMatchObject({
      serverType: "cx22",
      image: "123456",
    });
    expect(byName(resources, "prod-worker-1").inputs).toMatchObject({ serverType: "cx32" });
    // In Pulumi only: Hetzner's own delete protection would make `pulumi destroy` fail even
    // after `pulumi state unprotect --all`.
    expect(byName(resources, "prod-control-plane-1-ip").inputs.deleteProtection).toBeUndefined();
    // What protection guards: the endpoint's address, the Talos PKI, the LUKS passphrase and
    // the age identity the etcd snapshots are encrypted to.
    expect(
      resources
        .filter((r) => r.protect)
        .map((r) => r.name)
        .sort(),
    ).toEqual(
      [
        "prod-control-plane-1-ip",
        "prod-csi-luks-passphrase",
        "prod-etcd-backup-age-key",
        "prod-secrets",
      ].sort(),
    );
  });

  it("gives each new server its machine config through the Talos API in maintenance mode", () => {
    const init = byName(resources, "prod-worker-1-init");
    expect(init.inputs.create).toContain('talosctl apply-config --insecure --nodes "$NODE_ADDRESS"');
    expect((init.inputs.environment as Record<string, unknown>).MACHINE_CONFIG).toBe("[secret]");
    expect(init.dependsOn).toContain(byName(resources, "prod-worker-1").urn);
    expect(byName(resources, "prod-bootstrap").dependsOn).toContain(
      byName(resources, "prod-control-plane-1-init").urn,
    );
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

  it("applies the cluster's Secrets through the Kubernetes API once it answers, before health", () => {
    const cp = byName(resources, "prod-control-plane-config");
    expect(cp.additionalSecretOutputs).toEqual(["stdout"]);
    expect(byName(resources, "prod-k8s").inputs.enableServerSideApply).toBe("true");
    const hcloudSecret = byName(resources, "prod-secret-hcloud");
    expect(hcloudSecret.type).toBe("kubernetes:core/v1:Secret");
    expect(hcloudSecret.inputs.stringData).toEqual({ network: "[secret]", token: "[secret]" });
    expect(hcloudSecret.dependsOn).toContain(byName(resources, "prod-kubeconfig").urn);
    expect(byName(resources, "prod-health").dependsOn).toContain(hcloudSecret.urn);
    expect(byName(resources, "prod-kubeconfig").inputs.create).toContain("/readyz");
  });

  it("syncs changed inline manifests with talosctl upgrade-k8s after the configs are applied", () => {
    const sync = byName(resources, "prod-manifests-sync");
    const env = sync.inputs.environment as Record<string, string>;
    expect(sync.inputs.create).toBe("true");
    expect(sync.inputs.update).toContain("talosctl upgrade-k8s");
    expect(env.MANIFESTS_HASH).toMatch(/^[0-9a-f]{64}$/);
    expect(sync.dependsOn).toContain(byName(resources, "prod-worker-1-apply").urn);
  });

  it("opens only the Kubernetes and Talos APIs, to the configured sources plus the caller", () => {
    const rules = byName(resources, "prod-firewall").inputs.rules as Array<Record<string, unknown>>;
    expect(rules.map((r) => [r.protocol, r.port, r.sourceIps].join(" "))).toEqual([
      "tcp 6443 203.0.113.77/32,10.20.0.0/16",
      "tcp 50000 203.0.113.77/32,10.20.0.0/16",
    ]);
  });

  it("validates before creating anything", async () => {
    await expect(synth(withConfig({ nodePools: [{ ...prod.nodePools[0], count: 2 }] }))).rejects.toThrow(
      "etcd needs an odd number",
    );
  });
});

describe("TalosHcloudCluster with a Gateway", () => {
  it("creates the Gateway's Hetzner load balancer under the name the CCM adopts, and exports its address", async () => {
    const { TalosHcloudCluster } = await import("../../components/cluster/talos");
    const pulumi = await import("@pulumi/pulumi");
    const { valueOf, fakePublicIpv4 } = await import("../../lib/mock-runtime");
    let address: string | undefined;
    const { resources } = await runProgram(async () => {
      const provider = new hcloud.Provider("hcloud", { token: pulumi.secret("t") });
      const c = new TalosHcloudCluster("prod", {
        config: prod,
        services: [],
        versions,
        hcloudProvider: provider,
        secrets: {
          hcloudToken: pulumi.secret("tok"),
          etcdBackupS3AccessKeyId: pulumi.secret("ak"),
          etcdBackupS3SecretAccessKey: pulumi.secret("sk"),
        },
        gateway: { mode: "hcloud", location: "nbg1", type: "lb11" },
      });
      address = await valueOf(c.handle.loadBalancerAddress);
    });
    const lb = byName(resources, "prod-gateway-lb");
    // The name the Gateway's Service annotation gives the CCM (components/platform/cilium-gateway/index.ts).
    expect(lb.inputs).toMatchObject({ name: "prod-gateway", location: "nbg1", loadBalancerType: "lb11" });
    expect(lb.dependsOn).toEqual(
      expect.arrayContaining([
        byName(resources, "prod-network").urn,
        byName(resources, "prod-destroy-guard").urn,
      ]),
    );
    // The load balancer's address (the offline fake of its ipv4), not a worker's.
    expect(address).toBe(fakePublicIpv4("prod-gateway-lb"));
    expect(address).not.toBe(fakePublicIpv4("prod-worker-1"));
  });
});

describe("etcd snapshot encryption", () => {
  it("encrypts to a generated age identity when no recipient is configured, and keeps the identity secret", async () => {
    const { resources } = await synth();
    const patch = JSON.parse(
      (byName(resources, "prod-control-plane-config").inputs.environment as Record<string, string>)
        .TALOS_PATCH,
    ) as { cluster: { inlineManifests: { name: string; contents: string }[] } };
    const backup = patch.cluster.inlineManifests.find((m) => m.name === "talos-backup")!.contents;
    expect(backup).toMatch(/name: AGE_X25519_PUBLIC_KEY\n\s+value: age1[02-9ac-hj-np-z]{58}\n/);
    expect(backup).not.toContain("DISABLE_ENCRYPTION");
    const identity = byName(resources, "prod-etcd-backup-age-identity");
    expect(identity.additionalSecretOutputs).toEqual(["stdout"]);
    expect((identity.inputs.environment as Record<string, unknown>).AGE_IDENTITY).toBe("[secret]");
    expect(byName(resources, "prod-etcd-backup-age-key").protect).toBe(true);
  });

  it("uses the configured recipient and generates nothing", async () => {
    const recipient = "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj";
    const { resources } = await synth(
      withConfig({ etcdBackup: { ...prod.etcdBackup, ageRecipient: recipient } }),
    );
    expect(resources.filter((r) => r.name.startsWith("prod-etcd-backup-age"))).toEqual([]);
    expect(
      (byName(resources, "prod-control-plane-config").inputs.environment as Record<string, string>)
        .TALOS_PATCH,
    ).toContain(recipient);
  });

  it("derives identities and recipients as the age spec's test vector does", async () => {
    const { ageIdentity, ageRecipient } = await import("../../components/cluster/talos/age");
    // age-encryption.org/v1, "The X25519 recipient type": the keypair of 32 0x42 bytes.
    const secret = Buffer.alloc(32, 0x42);
    expect(ageIdentity(secret)).toBe(
      "AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX",
    );
    expect(ageRecipient(secret)).toBe("age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj");
  });
});

describe("node addresses", () => {
  it("keeps the autoscaler's servers in their own subnet, above every static node", async () => {
    const { resources } = await synth();
    const { parseCidr, containsAddress, parseIpv4, overlaps } = await import("../../lib/net");
    const staticRange = byName(resources, "prod-subnet").inputs.ipRange as string;
    const autoscaledRange = byName(resources, "prod-autoscaler-subnet").inputs.ipRange as string;
    expect([staticRange, autoscaledRange]).toEqual(["10.0.64.0/25", "10.0.64.128/25"]);
    expect(overlaps(parseCidr(staticRange)!, parseCidr(autoscaledRange)!)).toBe(false);
    for (const server of resources.filter((r) => r.type === "hcloud:index/server:Server")) {
      const ip = (server.inputs.networks as { ip: string }[])[0].ip;
      expect({
        server: server.name,
        inStatic: containsAddress(parseCidr(staticRange)!, parseIpv4(ip)!),
      }).toEqual({
        server: server.name,
        inStatic: true,
      });
    }
    expect(byName(resources, "prod-autoscaler-subnet").dependsOn).toContain(
      byName(resources, "prod-subnet").urn,
    );
  });
});
