/**
 * Stack config of a k3s cluster as loadConfig reads it: node labels checked as Kubernetes
 * checks them, every host's problems at once, host keys, and the secrets etcd snapshots need.
 */
import { BUILT_IN_UNITS } from "../../stacks/units";
import { loadConfig } from "../../config/load";
import { labelKeyProblem, labelValueProblem } from "../../config/clusters";
import { runProgram } from "../../lib/mock-runtime";
import { FAKE, homelabConfig, secretKeysOf } from "../fixtures";

type Config = Record<string, unknown>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Clusters = Record<string, any>;
const clusters = (c: Config): Clusters => c["platform:clusters"] as Clusters;

async function load(config: Config) {
  const { resources, outputs } = await runProgram(
    () => {
      try {
        return { config: loadConfig(BUILT_IN_UNITS), error: undefined };
      } catch (error) {
        return { config: undefined, error: error as Error };
      }
    },
    { stack: "test", config, secretKeys: secretKeysOf(config) },
  );
  return { resources, ...outputs };
}

describe("k3s node labels", () => {
  it("checks keys and values as Kubernetes does", () => {
    expect(labelKeyProblem("node.longhorn.io/create-default-disk")).toBeUndefined();
    expect(labelKeyProblem("topology.kubernetes.io/zone")).toBeUndefined();
    expect(labelKeyProblem("gpu")).toBeUndefined();
    expect(labelKeyProblem("bad label!")).toContain("1-63 characters");
    expect(labelKeyProblem("Example.COM/x")).toContain("DNS subdomain");
    expect(labelKeyProblem("a/b/c")).toContain("at most one '/'");
    expect(labelKeyProblem(`x/${"a".repeat(64)}`)).toContain("1-63 characters");
    expect(labelKeyProblem("-x")).toContain("at both ends");
    expect(labelValueProblem("")).toBeUndefined();
    expect(labelValueProblem("true")).toBeUndefined();
    expect(labelValueProblem("it's")).toContain("label value");
  });

  it("refuses an invalid key before any resource, and reports every host's errors at once", async () => {
    const c = homelabConfig();
    clusters(c).production.hosts[0].labels = { "bad label!": "true" };
    clusters(c).production.hosts[1].address = "10.0.40.300";
    clusters(c).production.hosts[2].labels = { ok: "not ok!" };
    const { error, resources } = await load(c);
    expect(resources).toEqual([]);
    expect(error?.message).toContain(
      'Invalid config platform:clusters.production.hosts[0].labels = "bad label!": invalid label key: the name must be 1-63 characters',
    );
    expect(error?.message).toContain('hosts[1].address = "10.0.40.300": expected an IPv4 address');
    expect(error?.message).toContain(
      'Invalid config platform:clusters.production.hosts[2].labels.ok = "not ok!": a label value is empty or 1-63 characters',
    );
  });
});

describe("k3s host keys", () => {
  it("requires each host's key, saying how to get it", async () => {
    const c = homelabConfig();
    delete clusters(c).production.hosts[1].hostKey;
    const { error } = await load(c);
    expect(error?.message).toContain(
      "Invalid config platform:clusters.production.hosts[1].hostKey = (not set): required; set the host's public SSH host key: run `ssh-keyscan -t ed25519 <address>`",
    );
  });

  it("refuses a key that is not an OpenSSH public key", async () => {
    const c = homelabConfig();
    clusters(c).production.hosts[0].hostKey = "ssh-ed25519 AAAA-not-base64";
    const { error } = await load(c);
    expect(error?.message).toContain(
      'Invalid config platform:clusters.production.hosts[0].hostKey = "ssh-ed25519 ...": the key data is not base64',
    );
  });
});

describe("k3s etcd snapshots", () => {
  const withSnapshots = (): Config => {
    const c = homelabConfig();
    clusters(c).production.etcdSnapshots = {
      s3Endpoint: "s3.example.org",
      s3Region: "eu-central-003",
      s3Bucket: "homelab-etcd",
    };
    return c;
  };

  it("needs both S3 keys as secrets", async () => {
    const { error } = await load(withSnapshots());
    expect(error?.message).toContain(
      "Invalid config platform:k3sEtcdS3AccessKeyId = (not set): required for this stack; set it with: pulumi config set --secret platform:k3sEtcdS3AccessKeyId <value>",
    );
    expect(error?.message).toContain(
      "platform:k3sEtcdS3SecretAccessKey = (not set): required for this stack",
    );
  });

  it("applies K3s snapshot defaults and encrypts Secrets at rest by default", async () => {
    const c = withSnapshots();
    c["platform:k3sEtcdS3AccessKeyId"] = FAKE("etcd-key-id");
    c["platform:k3sEtcdS3SecretAccessKey"] = FAKE("etcd-secret");
    const { config, error } = await load(c);
    expect(error).toBeUndefined();
    const production = config!.clusters.find((x) => x.name === "production");
    expect(production).toMatchObject({
      secretsEncryption: true,
      etcdSnapshots: { schedule: "0 */6 * * *", retention: 28, s3Folder: "k3s", s3Bucket: "homelab-etcd" },
    });
    expect(config!.secrets.k3sEtcdS3AccessKeyId).toBeDefined();
  });
});

describe("k3s host checks across hosts", () => {
  it("reports every host's cross-host problem at once", async () => {
    const c = homelabConfig();
    const hosts = clusters(c).production.hosts;
    hosts[1].address = hosts[0].address;
    hosts[2].name = hosts[0].name;
    const { error } = await load(c);
    expect(error?.message).toContain(
      'platform:clusters.production.hosts[1].address "10.0.40.101" is used by another host; host addresses must be unique',
    );
    expect(error?.message).toContain(
      'platform:clusters.production.hosts[2].name "node-1" is used by another host; host names must be unique',
    );
  });

  it("keeps a gone server counted and refuses losing quorum or every server", async () => {
    const c = homelabConfig();
    clusters(c).production.hosts[0].gone = true;
    expect((await load(c)).error).toBeUndefined();
    clusters(c).production.hosts[1].gone = true;
    expect((await load(c)).error?.message).toContain(
      "platform:clusters.production.hosts marks 2 of 3 servers gone; etcd has lost its quorum",
    );
    // Removing a gone server without adding its replacement leaves an even member count.
    const removed = homelabConfig();
    clusters(removed).production.hosts.pop();
    expect((await load(removed)).error?.message).toContain("embedded etcd needs an odd number");
  });
});
