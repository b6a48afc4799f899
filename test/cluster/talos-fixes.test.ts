/** Regression tests of the fixes that make the first real `pulumi up` of a Talos cluster work. */
import * as path from "node:path";
import Ajv from "ajv";
import { readFileSync } from "fs";
import { parseAllDocuments } from "yaml";
import { autoscalerSettings } from "../../components/cluster/talos/autoscaler";
import {
  CILIUM_CLI_EMBEDDED_CHARTS,
  ciliumInstallArgs,
  encryptedStorageClass,
  essentialInlineManifests,
} from "../../components/cluster/talos/essentials";

import { substituteCurrentIpv4 } from "../../components/cluster/talos/firewall";
import { apiSourceProblem, validateTalosHcloudArgs } from "../../components/cluster/talos/validate";
import { prod, versions, withConfig } from "./talos-fixture";

const facts = JSON.parse(
  readFileSync(path.join(__dirname, "..", "fixtures", "upstream", "cluster-facts.json"), "utf8"),
) as {
  ciliumCli: { embeddedCharts: Record<string, string[]> };
  csiStorageClassParameters: string[];
  csiReservedPrefix: string;
};
const ciliumValuePaths = new Set(
  JSON.parse(
    readFileSync(
      path.join(__dirname, "..", "fixtures", "upstream", "cilium-1.18.2-value-paths.json"),
      "utf8",
    ),
  ) as string[],
);

const ciliumValuesSchema = JSON.parse(
  readFileSync(
    path.join(__dirname, "..", "fixtures", "upstream", "cilium-1.18.2-values.schema.json"),
    "utf8",
  ),
) as object;

/**
 * The values `--set=key=value` flags give Helm (cilium-cli parses them with Helm's strvals):
 * dotted keys nest; `true`/`false` are booleans, `null` is null, an integer without a leading
 * zero is a number, `{a,b}` is a list, anything else a string (helm/helm pkg/strvals/parser.go
 * `typedVal`, `valList`).
 */
function helmSetValues(args: readonly string[]): Record<string, unknown> {
  const typed = (v: string): unknown =>
    /^true$/i.test(v)
      ? true
      : /^false$/i.test(v)
        ? false
        : /^null$/i.test(v)
          ? null
          : /^(0|-?[1-9]\d*)$/.test(v)
            ? Number(v)
            : v;
  const values: Record<string, unknown> = {};
  for (const arg of args) {
    const m = /^--set=([^=]+)=(.*)$/.exec(arg);
    if (!m) continue;
    const keys = m[1].split(".");
    let node = values;
    for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
    node[keys[keys.length - 1]] = /^\{.*\}$/.test(m[2])
      ? m[2].slice(1, -1).split(",").map(typed)
      : typed(m[2]);
  }
  return values;
}

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
    const withIstio = withConfig({ services: [...prod.services, "istio"] });
    const keys = ciliumInstallArgs(withIstio, versions.cilium)
      .filter((a) => a.startsWith("--set="))
      .map((a) => a.slice("--set=".length).split("=")[0]);
    expect(keys.length).toBeGreaterThan(10);
    // values.yaml documents socketLB.hostNamespaceOnly only as a comment; the configmap
    // template reads it (bpf-lb-sock-hostns-only) and Cilium's Istio guide sets it.
    const documentedOnly = new Set(["socketLB.hostNamespaceOnly"]);
    expect(keys.filter((k) => !ciliumValuePaths.has(k) && !documentedOnly.has(k))).toEqual([]);
  });
  it.each([
    ["without Istio", prod],
    ["with Istio", withConfig({ services: [...prod.services, "istio"] })],
  ])("sets values the chart's values.schema.json accepts (%s)", (_label, config) => {
    const values = helmSetValues(ciliumInstallArgs(config, versions.cilium));
    expect(values).toMatchObject({ kubeProxyReplacement: true, k8sServicePort: 7445 });
    const validate = new Ajv({ strict: false, allErrors: true }).compile(ciliumValuesSchema);
    expect({ valid: validate(values), errors: validate.errors ?? null }).toEqual({
      valid: true,
      errors: null,
    });
  });
  it("chains with istio-cni only where Istio runs", () => {
    expect(ciliumInstallArgs(prod, versions.cilium).join(" ")).not.toContain("cni.exclusive");
    expect(ciliumInstallArgs(withConfig({ services: [...prod.services, "istio"] }), versions.cilium)).toEqual(
      expect.arrayContaining(["--set=cni.exclusive=false", "--set=socketLB.hostNamespaceOnly=true"]),
    );
  });
});

describe("CSI driver", () => {
  const objects = essentialInlineManifests(prod, versions).flatMap((m) =>
    parseAllDocuments(m.contents).map(
      (d) =>
        d.toJSON() as {
          kind: string;
          metadata: { name: string; annotations?: Record<string, string> };
          spec?: { template?: { spec: { containers: { image: string }[] } } };
        },
    ),
  );
  it("leaves exactly one default StorageClass, the encrypted one", () => {
    const defaults = objects.filter(
      (o) =>
        o.kind === "StorageClass" &&
        o.metadata.annotations?.["storageclass.kubernetes.io/is-default-class"] === "true",
    );
    expect(defaults.map((o) => o.metadata.name)).toEqual(["hcloud-volumes-encrypted"]);
  });
  it("runs the pinned driver release in the controller and on every node", () => {
    const images = objects
      .filter((o) => o.metadata.name === "hcloud-csi-controller" || o.metadata.name === "hcloud-csi-node")
      .flatMap((o) => o.spec?.template?.spec.containers.map((c) => c.image) ?? []);
    expect(images.filter((i) => i.includes("hcloud-csi-driver"))).toEqual([
      "docker.io/hetznercloud/hcloud-csi-driver:v2.19.0",
      "docker.io/hetznercloud/hcloud-csi-driver:v2.19.0",
    ]);
    expect(objects.some((o) => o.kind === "CSIDriver" && o.metadata.name === "csi.hetzner.cloud")).toBe(true);
  });
  it("refuses a driver release whose manifest it cannot render", () => {
    expect(() => validateTalosHcloudArgs(prod, { ...versions, hcloudCsi: "2.18.0" })).toThrow(
      'versions.hcloudCsi: "2.18.0" has no rendered manifest (known: 2.19.0)',
    );
  });
});

describe("encrypted StorageClass", () => {
  it("passes the XFS options under the key the CSI driver reads", () => {
    const params = encryptedStorageClass(prod.name).parameters as Record<string, string>;
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
