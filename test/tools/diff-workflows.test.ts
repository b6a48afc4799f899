import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

const DIR = path.join(__dirname, "..", "..", ".github", "workflows");
const FILES = fs.readdirSync(DIR).filter((f) => f.endsWith(".yml"));

interface Job {
  permissions?: Record<string, string>;
  steps?: { uses?: string; run?: string }[];
  "runs-on"?: unknown;
  environment?: string;
  needs?: string | string[];
  if?: string;
}
const load = (file: string) =>
  parse(fs.readFileSync(path.join(DIR, file), "utf8")) as {
    permissions?: unknown;
    jobs: Record<string, Job>;
  };

describe("GitHub workflows", () => {
  it("are the three the pull-request layer needs", () => {
    expect(FILES.sort()).toEqual(["deploy.yml", "pr.yml", "update-image.yml"]);
  });

  it.each(FILES)("%s pins every action by commit SHA with its tag in a comment", (file) => {
    const lines = fs.readFileSync(path.join(DIR, file), "utf8").split("\n");
    const uses = lines.filter((l) => /^\s*(-\s+)?uses:/.test(l));
    expect(uses.length).toBeGreaterThan(0);
    for (const line of uses) expect(line).toMatch(/uses: [\w.-]+\/[\w.-]+@[0-9a-f]{40} # \S/);
  });

  it.each(FILES)("%s grants nothing by default and each job only what it declares", (file) => {
    const wf = load(file);
    expect(wf.permissions).toEqual({});
    for (const job of Object.values(wf.jobs)) expect(job.permissions).toBeDefined();
  });

  it("never interpolates event data into a shell command", () => {
    for (const file of FILES) {
      const text = fs.readFileSync(path.join(DIR, file), "utf8");
      expect({
        file,
        found: /\$\{\{\s*github\.event\.(client_payload|pull_request\.(title|body|head\.ref))/.test(text),
      }).toEqual({
        file,
        found: false,
      });
    }
  });

  it("previews only where secrets exist, never for forks", () => {
    const preview = load("pr.yml").jobs["preview"];
    expect(preview.if).toBe("github.event.pull_request.head.repo.full_name == github.repository");
    expect(preview.steps!.find((s) => s.uses?.startsWith("pulumi/actions@"))).toBeDefined();
  });

  it("deploys stage before prod, prod behind its environment, homelab from the self-hosted runner", () => {
    const jobs = load("deploy.yml").jobs;
    expect(jobs["prod"].needs).toBe("stage");
    expect(jobs["prod"].environment).toBe("prod");
    expect(jobs["homelab"]["runs-on"]).toEqual(["self-hosted", "linux", "homelab"]);
  });
});
