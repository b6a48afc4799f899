import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { EMIT_MARKER } from "../../components/gitops";
import { writeEmitted, type SynthResult } from "../../tools/synth";

/** The part of a synth result writeEmitted reads. */
function result(files: Record<string, string>): SynthResult {
  return { stack: "homelab", files: new Map(Object.entries(files)) } as unknown as SynthResult;
}

const generated = (body: string) => `${EMIT_MARKER}\n${body}\n`;

describe("synth --emit writes only its own files", () => {
  let repo: string;
  const at = (file: string) => path.join(repo, file);
  beforeEach(() => {
    repo = fs.mkdtempSync(path.join(os.tmpdir(), "emit-write-"));
  });
  afterEach(() => fs.rmSync(repo, { recursive: true, force: true }));

  it("replaces earlier emitted files, removes stale ones and keeps user files such as SOPS Secrets", () => {
    writeEmitted(
      result({
        "gitops/homelab/c/kustomization.yaml": generated("resources: [apps/old/ks.yaml]"),
        "gitops/homelab/c/apps/old/ks.yaml": generated("kind: Kustomization"),
        "plan.json": "{}",
      }),
      repo,
    );
    fs.writeFileSync(at("gitops/homelab/c/apps/old/secret.sops.yaml"), "apiVersion: v1\nkind: Secret\nsops: {}\n");
    fs.mkdirSync(at("gitops/homelab/c/user"), { recursive: true });
    fs.writeFileSync(at("gitops/homelab/c/user/notes.md"), "mine\n");

    const written = writeEmitted(
      result({
        "gitops/homelab/c/kustomization.yaml": generated("resources: [apps/new/ks.yaml]"),
        "gitops/homelab/c/apps/new/ks.yaml": generated("kind: Kustomization"),
      }),
      repo,
    );

    expect(written).toEqual(["gitops/homelab/c/apps/new/ks.yaml", "gitops/homelab/c/kustomization.yaml"]);
    expect(fs.existsSync(at("gitops/homelab/c/apps/old/ks.yaml"))).toBe(false);
    expect(fs.readFileSync(at("gitops/homelab/c/apps/old/secret.sops.yaml"), "utf8")).toContain("sops: {}");
    expect(fs.readFileSync(at("gitops/homelab/c/user/notes.md"), "utf8")).toBe("mine\n");
    expect(fs.readFileSync(at("gitops/homelab/c/kustomization.yaml"), "utf8")).toContain("apps/new/ks.yaml");
    expect(fs.existsSync(at("plan.json"))).toBe(false);
  });

  it("removes directories that only held emitted files", () => {
    writeEmitted(result({ "gitops/homelab/c/apps/old/app/x.yaml": generated("kind: ConfigMap") }), repo);
    writeEmitted(result({ "gitops/homelab/c/kustomization.yaml": generated("resources: []") }), repo);
    expect(fs.existsSync(at("gitops/homelab/c/apps"))).toBe(false);
  });

  it("refuses to overwrite a user file at a path the emit needs", () => {
    fs.mkdirSync(at("gitops/homelab/c"), { recursive: true });
    fs.writeFileSync(at("gitops/homelab/c/kustomization.yaml"), "resources: [mine.yaml]\n");
    expect(() => writeEmitted(result({ "gitops/homelab/c/kustomization.yaml": generated("resources: []") }), repo)).toThrow(
      "emit: gitops/homelab/c/kustomization.yaml exists and was not written by an emit (no marker line); move it away, the emit needs this path",
    );
    expect(fs.readFileSync(at("gitops/homelab/c/kustomization.yaml"), "utf8")).toBe("resources: [mine.yaml]\n");
  });

  it("leaves other stacks' trees alone", () => {
    fs.mkdirSync(at("gitops/prod/main"), { recursive: true });
    fs.writeFileSync(at("gitops/prod/main/kustomization.yaml"), generated("resources: []"));
    writeEmitted(result({ "gitops/homelab/c/kustomization.yaml": generated("resources: []") }), repo);
    expect(fs.existsSync(at("gitops/prod/main/kustomization.yaml"))).toBe(true);
  });
});
