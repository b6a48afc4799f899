import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { main } from "../../tools/synth";
import { loadOfflineConfig, StackFileError } from "../../tools/stack-config";

const ROOT = path.join(__dirname, "..", "..");

/** A scratch project: the real Pulumi.yaml and one stack file with the given text. */
function project(stackText: string, stack = "broken"): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "synth-cli-"));
  fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), stackText);
  return dir;
}

function errorOf(stackText: string): string {
  try {
    loadOfflineConfig(project(stackText), "broken");
  } catch (error) {
    expect(error).toBeInstanceOf(StackFileError);
    return (error as Error).message;
  }
  throw new Error("expected a StackFileError");
}

async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join(""), err: err.join("") };
}

describe("stack files the CLI would refuse", () => {
  it("names file, line and column of a tab", () => {
    expect(errorOf("config:\n  platform:shape: cloud\n  platform:clusters:\n\tprod: {}\n")).toBe(
      'Pulumi.broken.yaml:4:1: invalid YAML in "prod: {}": a tab indents this line; YAML indents with spaces only: replace the tab with spaces',
    );
  });

  it("names a misaligned key", () => {
    expect(errorOf("config:\n  platform:clusters:\n    prod:\n      kind: k3s\n     engine: flux\n")).toBe(
      'Pulumi.broken.yaml:5:1: invalid YAML in "engine: flux": this line is not aligned with the keys above it; indent it by the same number of spaces as its siblings',
    );
  });

  it("names a duplicate key", () => {
    expect(errorOf("config:\n  platform:shape: cloud\n  platform:shape: homelab\n")).toBe(
      'Pulumi.broken.yaml:3:3: invalid YAML in "platform:shape: homelab": this key appears twice in the same mapping; keep one (YAML would silently use the last)',
    );
  });

  it("reports missing required keys with the CLI's own words", () => {
    expect(errorOf("config:\n  platform:versions: {}\n")).toBe(
      "Stack 'broken' is missing configuration values 'platform:clusters' and 'platform:shape'; set them in Pulumi.broken.yaml",
    );
    expect(errorOf("config:\n  platform:shape: cloud\n")).toBe(
      "Stack 'broken' is missing configuration value 'platform:clusters'; set it in Pulumi.broken.yaml",
    );
  });

  it("reports a declared key of the wrong type", () => {
    expect(errorOf("config:\n  platform:shape: cloud\n  platform:clusters: [prod]\n")).toBe(
      "Stack 'broken' with configuration key 'platform:clusters' must be of type 'object' (Pulumi.broken.yaml)",
    );
  });

  it("fakes only the secrets a stack sets or requires; optional ones stay unset", () => {
    const offline = loadOfflineConfig(ROOT, "homelab");
    // Set by the operator: required for the shape, or by an enabled service with its settings.
    expect(offline.fakes.map((f) => f.key).sort()).toEqual([
      "platform:cloudflareApiToken",
      "platform:cnpgBackupS3AccessKeyId",
      "platform:cnpgBackupS3SecretAccessKey",
      // production's etcdSnapshots
      "platform:k3sEtcdS3AccessKeyId",
      "platform:k3sEtcdS3SecretAccessKey",
      "platform:longhornBackupS3AccessKeyId",
      "platform:longhornBackupS3SecretAccessKey",
      "platform:onePasswordServiceAccountToken",
      "platform:proxmoxApiToken",
      "platform:renovateToken",
      "platform:sshPrivateKey",
    ]);
    expect(offline.config["platform:gitToken"]).toBeUndefined();
    expect(offline.config["platform:sopsAgeKey"]).toBeUndefined();
    expect(offline.unset.map((u) => u.key)).toEqual([
      "platform:gitToken",
      "platform:sopsAgeKey",
      // Only what something in homelab reads: no external-secrets or steady there, so none
      // of bitwardenAccessToken, vaultToken, steadyGhcrDockerConfigJson (config/secrets.ts).
      // ntfy runs without web push until its VAPID keys are set.
      "platform:ntfyWebPushPublicKey",
      "platform:ntfyWebPushPrivateKey",
    ]);
    const withSecret = project(
      fs.readFileSync(path.join(ROOT, "Pulumi.homelab.yaml"), "utf8") +
        "  platform:gitToken:\n    secure: v1:ZmFrZQ==\n",
    );
    const set = loadOfflineConfig(withSecret, "broken");
    expect(set.fakes).toContainEqual({ key: "platform:gitToken", reason: "encrypted in the stack file" });
  });
});

describe("synth command line", () => {
  it("prints usage for --help and exits 0", async () => {
    const { code, out } = await run(["--help"]);
    expect(code).toBe(0);
    expect(out).toContain("usage: npm run synth -- <stack> [--out DIR] [--emit]");
    expect(out).toContain("stacks: homelab, prod, stage");
  });

  it("rejects an unknown stack with one line and exit 2", async () => {
    const { code, err } = await run(["prdo"]);
    expect(code).toBe(2);
    expect(err).toBe(
      'error: unknown stack "prdo": there is no Pulumi.prdo.yaml; stacks: homelab, prod, stage\n',
    );
  });

  it("prints usage for bad arguments and exits 64", async () => {
    const { code, err } = await run([]);
    expect(code).toBe(64);
    expect(err).toContain("usage:");
  });
});

describe("every shipped stack file", () => {
  it.each(["stage", "prod", "homelab"])("%s parses and has what the CLI requires", (stack) => {
    expect(() => loadOfflineConfig(ROOT, stack)).not.toThrow();
  });
});
