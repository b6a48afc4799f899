import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { EMITTED_LEDGER, writeEmitted, type SynthResult } from "../../tools/synth";

function result(files: Record<string, string>): SynthResult {
  return { stack: "homelab", files: new Map(Object.entries(files)) } as unknown as SynthResult;
}

describe("synth --emit into the repository", () => {
  it("replaces what it wrote before and keeps the user's own files", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "emit-"));
    const tree = "gitops/homelab/staging";
    writeEmitted(
      result({ [`${tree}/kustomization.yaml`]: "a\n", [`${tree}/apps/old/deployment-old.yaml`]: "old\n" }),
      root,
    );
    // The user keeps a SOPS-encrypted Secret in the tree.
    fs.mkdirSync(path.join(root, tree, "secrets"), { recursive: true });
    fs.writeFileSync(path.join(root, tree, "secrets", "db.sops.yaml"), "sops: {}\n");

    writeEmitted(result({ [`${tree}/kustomization.yaml`]: "b\n", "out/not-in-tree.txt": "x" }), root);

    expect(fs.readFileSync(path.join(root, tree, "kustomization.yaml"), "utf8")).toBe("b\n");
    expect(fs.existsSync(path.join(root, tree, "apps"))).toBe(false);
    expect(fs.readFileSync(path.join(root, tree, "secrets", "db.sops.yaml"), "utf8")).toBe("sops: {}\n");
    expect(fs.readFileSync(path.join(root, "gitops", "homelab", EMITTED_LEDGER), "utf8")).toBe(
      `${tree}/kustomization.yaml\n`,
    );
  });
});
