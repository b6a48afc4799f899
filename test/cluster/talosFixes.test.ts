/** Regression tests of the fixes that make the first real `pulumi up` of a Talos cluster work. */
import { readFileSync } from "fs";
import { parseAllDocuments } from "yaml";
import { autoscalerSettings } from "../../components/cluster/talos/autoscaler";
import {
  CILIUM_CLI_EMBEDDED_CHARTS,
  ciliumInstallArgs,
  encryptedStorageClass,
  essentialInlineManifests,
  bootstrapManifestsHash,
  secretInlineManifests,
} from "../../components/cluster/talos/essentials";
import { machinePatch } from "../../components/cluster/talos/machineConfig";
import { substituteCurrentIpv4 } from "../../components/cluster/talos/firewall";
import * as scripts from "../../components/cluster/talos/talosctl";
import { apiSourceProblem, validateTalosHcloudArgs } from "../../components/cluster/talos/validate";
import { prod, versions, withConfig } from "./talosFixture";

const facts = JSON.parse(readFileSync("/work/shared/schemas/cluster-facts.json", "utf8")) as {
  ciliumCli: { embeddedCharts: Record<string, string[]> };
  csiStorageClassParameters: string[];
  csiReservedPrefix: string;
};
const ciliumValuePaths = new Set(
  JSON.parse(readFileSync("/work/shared/schemas/cilium-1.18.2-value-paths.json", "utf8")) as string[],
);

interface Container {
  command?: string[];
  args: string[];
  image: string;
  env: { name: string; value?: string }[];
  securityContext: { readOnlyRootFilesystem: boolean };
  volumeMounts: unknown[];
}
interface JobDoc {
  kind: string;
  spec: { template: { spec: { containers: Container[]; volumes: unknown[] } } };
}

function ciliumJob(): JobDoc {
  const m = essentialInlineManifests(prod, versions).find((x) => x.name === "cilium-install");
  const docs = parseAllDocuments(m?.contents ?? "").map((d) => d.toJS() as JobDoc);
  const job = docs.find((d) => d.kind === "Job");
  if (!job) throw new Error("no cilium-install Job");
  return job;
}

describe("cilium install Job", () => {
  const container = ciliumJob().spec.template.spec.containers[0];
  it("names the binary (the image's ENTRYPOINT is empty) and a CLI tag embedding the pinned chart", () => {
    expect(container.command).toEqual(["cilium"]);
    expect(container.args[0]).toBe("install");
    expect(container.image).toBe("quay.io/cilium/cilium-cli:v0.18.8");
    const tag = String(container.image).split(":")[1];
    expect(facts.ciliumCli.embeddedCharts[tag]).toContain(versions.cilium);
  });
  it("keeps its table in line with cluster-facts.json", () => {
    expect(CILIUM_CLI_EMBEDDED_CHARTS).toEqual(facts.ciliumCli.embeddedCharts);
  });
  it("has a writable HOME on an emptyDir under its read-only root filesystem", () => {
    expect(container.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(container.env).toEqual(expect.arrayContaining([{ name: "HOME", value: "/tmp" }]));
    expect(container.volumeMounts).toEqual([{ name: "tmp", mountPath: "/tmp" }]);
    expect(ciliumJob().spec.template.spec.volumes).toEqual([{ name: "tmp", emptyDir: {} }]);
  });
  it("sets only keys the Cilium 1.18.2 chart reads", () => {
    const keys = ciliumInstallArgs(prod, versions)
      .filter((a) => a.startsWith("--set="))
      .map((a) => a.slice("--set=".length).split("=")[0]);
    expect(keys.length).toBeGreaterThan(10);
    expect(keys.filter((k) => !ciliumValuePaths.has(k))).toEqual([]);
  });
  it("rejects a Cilium that no known cilium-cli embeds", () => {
    expect(() => validateTalosHcloudArgs(prod, { ...versions, cilium: "1.18.4" })).toThrow(
      'versions.cilium: "1.18.4" is not embedded by any known cilium-cli tag (v0.18.7: 1.18.0, 1.18.1; v0.18.8: 1.18.0, 1.18.1, 1.18.2; v0.18.9: 1.18.0, 1.18.1, 1.18.2, 1.18.3); pin an embedded Cilium or add the cilium-cli tag that embeds it',
    );
  });
});

describe("bounded waits", () => {
  it("gives every retried step 25 minutes in total and says so", () => {
    const health = scripts.healthScript();
    expect(health).toContain("local end=$((SECONDS+1500))");
    expect(health).toContain("gave up after 25 minutes");
    expect(health).toContain("--wait-timeout 5m");
    expect(health).toContain("cluster not healthy within 25 minutes");
    expect(health).not.toContain("-ge 60 ]");
  });
});

describe("encrypted StorageClass", () => {
  it("passes the XFS options under the key the CSI driver reads", () => {
    const params = encryptedStorageClass().parameters as Record<string, string>;
    expect(params.fsFormatOptions).toBe("-i nrext64=1");
    const own = Object.keys(params).filter((k) => !k.startsWith(facts.csiReservedPrefix));
    expect(own.filter((k) => !facts.csiStorageClassParameters.includes(k))).toEqual([]);
  });
});

describe("autoscaler", () => {
  it("names the image of new nodes", () => {
    expect(autoscalerSettings(prod).env.HCLOUD_IMAGE).toBe("123456");
    expect(autoscalerSettings(withConfig({ image: { selector: "os=talos" } })).env.HCLOUD_IMAGE).toBe(
      "os=talos",
    );
  });
});

describe("API sources", () => {
  it.each([
    ["203.0.113.10/32", "documentation range 203.0.113.0/24"],
    ["192.0.2.0/24", "documentation range 192.0.2.0/24"],
    ["198.51.100.7/32", "documentation range 198.51.100.0/24"],
  ])("rejects the documentation address %s", (value, text) => {
    expect(apiSourceProblem(value)).toBe(
      `"${value}" is in the ${text}, not a real address; put your admin/CI public IPv4 CIDRs there (e.g. "<your ip>/32"), or "current" for the public IPv4 you run pulumi from`,
    );
  });
  it("says when host bits are set", () => {
    expect(apiSourceProblem("10.0.0.1/16")).toBe("10.0.0.1/16 has host bits set; did you mean 10.0.0.0/16?");
    expect(() => validateTalosHcloudArgs(withConfig({ apiAllowedCidrs: ["10.0.0.1/16"] }), versions)).toThrow(
      "config.apiAllowedCidrs[0]: 10.0.0.1/16 has host bits set; did you mean 10.0.0.0/16?",
    );
  });
  it("accepts current and real CIDRs", () => {
    expect(apiSourceProblem("current")).toBeUndefined();
    expect(apiSourceProblem("10.20.0.0/16")).toBeUndefined();
  });
  it("resolves current to <ip>/32 and rejects a non-address answer", () => {
    expect(substituteCurrentIpv4(["current", "10.20.0.0/16"], "192.0.2.44\n")).toEqual([
      "192.0.2.44/32",
      "10.20.0.0/16",
    ]);
    expect(() => substituteCurrentIpv4(["current"], "<html>")).toThrow(
      'config.apiAllowedCidrs: "current" could not be resolved: https://ipv4.icanhazip.com answered "<html>"; list your public IPv4 CIDR instead',
    );
  });
});

describe("version compatibility", () => {
  it("rejects Kubernetes outside a component's documented range", () => {
    expect(() => validateTalosHcloudArgs(prod, { ...versions, kubernetes: "v1.34.1" })).toThrow(
      'versions.hcloudCcm: "1.26.0" supports Kubernetes 1.31-1.33, but versions.kubernetes is "v1.34.1"; pin a matching pair',
    );
    expect(() => validateTalosHcloudArgs(prod, { ...versions, kubernetes: "v1.30.5" })).toThrow(
      'versions.hcloudCcm: "1.26.0" supports Kubernetes 1.31-1.33, but versions.kubernetes is "v1.30.5"; pin a matching pair',
    );
  });
  it("rejects a component version without a known range", () => {
    expect(() => validateTalosHcloudArgs(prod, { ...versions, cilium: "1.19.0" })).toThrow(
      'versions.cilium: "1.19.0" has no known Kubernetes compatibility range (known: 1.18); add its upstream range to KUBERNETES_COMPATIBILITY or pin a known version',
    );
  });
});

describe("secret inline manifests", () => {
  const fake = {
    hcloudToken: "fake-hcloud-token",
    networkId: "4242",
    luksPassphrase: "fake-luks",
    s3AccessKeyId: "fake-ak",
    s3SecretAccessKey: "fake-sk",
  };
  it("ride only in the control-plane patch", () => {
    const cp = machinePatch(
      prod,
      versions,
      { role: "controlplane", pool: "cp", labels: {}, taints: [] },
      [],
      secretInlineManifests(fake),
    );
    const names = (cp.cluster.inlineManifests as { name: string }[]).map((m) => m.name);
    expect(names.slice(0, 3)).toEqual(["hcloud-secret", "hcloud-csi-luks-secret", "talos-backup-s3-secret"]);
    const text = JSON.stringify(cp);
    expect(text).toContain("fake-hcloud-token");
    expect(text).toContain('network: \\"4242\\"');
  });
  it("name the Secrets the workloads reference", () => {
    const docs = secretInlineManifests(fake).map(
      (m) =>
        parseAllDocuments(m.contents)[0].toJS() as {
          metadata: { name: string };
          stringData: Record<string, string>;
        },
    );
    expect(docs.map((d) => [d.metadata.name, Object.keys(d.stringData)])).toEqual([
      ["hcloud", ["token", "network"]],
      ["hcloud-csi-luks", ["encryption-passphrase"]],
      ["talos-backup-s3", ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]],
    ]);
  });
});

describe("bootstrap manifests hash", () => {
  it("changes with a manifest version or the backup schedule, not otherwise", () => {
    const base = bootstrapManifestsHash(prod, versions);
    expect(bootstrapManifestsHash(prod, versions)).toBe(base);
    expect(bootstrapManifestsHash(prod, { ...versions, hcloudCsi: "2.16.1" })).not.toBe(base);
    expect(
      bootstrapManifestsHash(
        withConfig({ etcdBackup: { ...prod.etcdBackup, schedule: "30 * * * *" } }),
        versions,
      ),
    ).not.toBe(base);
  });
});

describe("kubelet serving certificates", () => {
  it("are not rotated without an approver (kubectl logs/exec and metrics-server need them)", () => {
    const p = machinePatch(prod, versions, { role: "worker", pool: "worker", labels: {}, taints: [] }, []);
    expect((p.machine.kubelet as { extraArgs: Record<string, string> }).extraArgs).toEqual({
      "cloud-provider": "external",
    });
  });
});
