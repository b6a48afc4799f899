/**
 * Bad input a Talos cluster refuses before anything changes: a control-plane change that
 * would take etcd through an unsafe removal, judged against the control-plane servers Hetzner
 * lists now; and `apiAllowedCidrs: [current]` alone in a CI run, which would lock every admin
 * out of the Kubernetes and Talos APIs.
 */
import * as hcloud from "@pulumi/hcloud";
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { MockCallArgs } from "@pulumi/pulumi/runtime/mocks";
import { checkedFirewallRules } from "../../components/cluster/talos/infrastructure";
import {
  CURRENT_IPV4_COMMAND,
  firewallRules,
  CURRENT_ONLY_IN_CI,
  currentIpv4Command,
} from "../../components/cluster/talos/firewall";
import { controlPlaneShrinkProblem } from "../../components/cluster/talos/validate";
import type { TalosHcloudClusterConfig } from "../../config/types";
import { runProgram } from "../../lib/mock-runtime";
import { prod, versions, withConfig } from "./talos-fixture";

describe("a control-plane count change against the deployed count", () => {
  it.each([
    [0, 1],
    [1, 3],
    [3, 5],
    [5, 3],
    [7, 3],
    [3, 3],
    [1, 1],
  ])("%i deployed -> %i planned is allowed", (deployed, planned) => {
    expect(controlPlaneShrinkProblem(deployed, planned)).toBeUndefined();
  });

  it.each([
    [3, 1],
    [5, 1],
    [2, 1],
  ])(
    "%i deployed -> %i planned is refused: the last removal leaves a two-member etcd",
    (deployed, planned) => {
      expect(controlPlaneShrinkProblem(deployed, planned)).toBe(
        `config.nodePools: the control plane would shrink from the ${deployed} control-plane servers deployed now to ${planned}; the nodes leave etcd one at a time, and the last removal takes a member from a two-member etcd cluster, which etcd's runtime reconfiguration guide calls unsafe (its majority is both members: a failure during the removal leaves etcd without quorum); keep at least 3 control planes, or build a one-node cluster anew and restore an etcd snapshot into it (docs/operating.md "Restore etcd (Talos)")`,
      );
    },
  );
});

/** Runs the component with Hetzner answering `deployed` control-plane servers. */
async function withDeployed(config: TalosHcloudClusterConfig, deployed: number) {
  const calls: MockCallArgs[] = [];
  const { TalosHcloudCluster } = await import("../../components/cluster/talos");
  const pulumi = await import("@pulumi/pulumi");
  const run = runProgram(
    () => {
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
      return { endpoint: c.handle.apiEndpoint };
    },
    {
      callsFor: (args) => {
        if (args.token !== "hcloud:index/getServers:getServers") return undefined;
        calls.push(args);
        const servers = Array.from({ length: deployed }, (_, i) => ({ id: i + 1, name: `prod-cp-${i + 1}` }));
        return { ...(args.inputs as Record<string, unknown>), id: "servers", servers };
      },
    },
  );
  return { run, calls };
}

const threeControlPlanes = withConfig({
  nodePools: prod.nodePools.map((p) => (p.role === "controlplane" ? { ...p, count: 3 } : p)),
});

describe("the component asks Hetzner for the deployed control planes", () => {
  it("asks Hetzner for this cluster's control-plane servers", async () => {
    const { run, calls } = await withDeployed(prod, 1);
    await run;
    expect(calls.map((c) => (c.inputs as { withSelector?: string }).withSelector)).toEqual([
      "cluster=prod,role=controlplane",
    ]);
  });

  it("builds the firewall's rules (which every server needs) only through the check", () => {
    expect(() => checkedFirewallRules(["198.18.0.0/15"], 3, 1)).toThrow(
      "the control plane would shrink from the 3 control-plane servers deployed now to 1",
    );
    expect(checkedFirewallRules(["198.18.0.0/15"], 3, 3)).toEqual(firewallRules(["198.18.0.0/15"]));
  });

  it("accepts 3 -> 3 and 1 -> 3", async () => {
    await expect((await withDeployed(threeControlPlanes, 3)).run).resolves.toBeDefined();
    await expect((await withDeployed(threeControlPlanes, 1)).run).resolves.toBeDefined();
  });
});

describe("current alone in a CI run", () => {
  let bin: string;
  let marker: string;
  beforeAll(() => {
    bin = mkdtempSync(join(tmpdir(), "fake-curl-"));
    marker = join(bin, "curl-ran");
    // A stand-in for curl: records that it ran and answers a documentation address.
    writeFileSync(join(bin, "curl"), `#!/bin/sh\ntouch "${marker}"\necho 198.51.100.7\n`);
    chmodSync(join(bin, "curl"), 0o755);
  });
  afterAll(() => rmSync(bin, { recursive: true, force: true }));
  beforeEach(() => rmSync(marker, { force: true }));

  const run = (entries: string[], ci: string | undefined) =>
    spawnSync("/bin/sh", ["-c", currentIpv4Command(entries)], {
      env: { PATH: `${bin}:/usr/bin:/bin`, ...(ci === undefined ? {} : { CI: ci }) },
      encoding: "utf8",
    });

  it.each(["true", "1", "yes"])("stops with CI=%s before asking for the address", (ci) => {
    const r = run(["current"], ci);
    expect([r.status, r.stderr.trim(), r.stdout]).toEqual([1, CURRENT_ONLY_IN_CI, ""]);
    expect(existsSync(marker)).toBe(false);
  });

  it.each([undefined, "", "false", "0"])("resolves the caller's address with CI=%s", (ci) => {
    const r = run(["current"], ci);
    expect([r.status, r.stdout.trim()]).toEqual([0, "198.51.100.7"]);
  });

  it("resolves it in CI when a fixed CIDR stands beside current", () => {
    expect(currentIpv4Command(["current", "198.18.0.0/15"])).toBe(CURRENT_IPV4_COMMAND);
    const r = run(["current", "198.18.0.0/15"], "true");
    expect([r.status, r.stdout.trim()]).toEqual([0, "198.51.100.7"]);
  });
});
