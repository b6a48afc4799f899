import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

const DIR = path.join(__dirname, "..", "..", ".github", "workflows");
const FILES = fs.readdirSync(DIR).filter((f) => f.endsWith(".yml"));

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, string | number | boolean>;
  env?: Record<string, string>;
}
interface Job {
  permissions?: Record<string, string>;
  steps?: Step[];
  outputs?: Record<string, string>;
  strategy?: { matrix?: Record<string, unknown> };
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

  it("stores no long-lived Pulumi token: every Pulumi step gets an OIDC team token first", () => {
    for (const file of ["pr.yml", "deploy.yml"]) {
      const text = fs.readFileSync(path.join(DIR, file), "utf8");
      expect({ file, secret: /secrets\.PULUMI_ACCESS_TOKEN/.test(text) }).toEqual({ file, secret: false });
      for (const [name, job] of Object.entries(load(file).jobs)) {
        const steps = job.steps ?? [];
        const pulumi = steps.findIndex((s) => s.uses?.startsWith("pulumi/actions@"));
        if (pulumi < 0) continue;
        const auth = steps.findIndex((s) => s.uses?.startsWith("pulumi/auth-actions@"));
        // The token exists only after every step that installs or runs repository scripts
        // other than the Pulumi program itself.
        const lastInstall = Math.max(
          ...steps.map((s, i) => (/\bnpm (ci|install)\b/.test(s.run ?? "") ? i : -1)),
        );
        expect({ file, name, auth: auth > lastInstall && auth < pulumi }).toEqual({ file, name, auth: true });
        expect({ file, name, with: steps[auth].with }).toEqual({
          file,
          name,
          with: {
            organization: "${{ vars.PULUMI_ORG }}",
            "requested-token-type": "urn:pulumi:token-type:access_token:team",
            // The team comes from the job's environment, so each environment's credential
            // reaches only the stacks its team is granted.
            scope: "team:${{ vars.PULUMI_TEAM }}",
            "token-expiration": expect.any(Number),
          },
        });
        expect(job.environment).toBeDefined();
        expect({ file, name, permissions: job.permissions }).toEqual({
          file,
          name,
          permissions: { contents: "read", "id-token": "write" },
        });
      }
    }
  });

  it("previews only behind a per-stack environment, never for forks, and only previews", () => {
    const preview = load("pr.yml").jobs["preview"];
    expect(preview.if).toBe(
      "github.event.pull_request.head.repo.full_name == github.repository && vars.PULUMI_ORG != ''",
    );
    expect(preview.environment).toBe("preview-${{ matrix.stack }}");
    expect(preview.strategy?.matrix?.["stack"]).toEqual(["stage", "prod", "homelab"]);
    const pulumi = preview.steps!.filter((s) => s.uses?.startsWith("pulumi/actions@"));
    expect(pulumi.map((s) => s.with?.["command"])).toEqual(["preview"]);
    // No token that can write to the repository or comment while the branch's code runs.
    expect(pulumi[0].with?.["comment-on-pr"]).toBeUndefined();
    expect(preview.steps!.every((s) => s.with?.["persist-credentials"] !== true)).toBe(true);
  });

  it("deploys only main, whatever branch a dispatch names, each stack from its own environment", () => {
    const jobs = load("deploy.yml").jobs;
    expect(Object.keys(jobs).sort()).toEqual(["homelab", "prod", "stage"]);
    for (const [name, job] of Object.entries(jobs)) {
      expect({ name, if: job.if }).toEqual({ name, if: "github.ref == 'refs/heads/main'" });
      expect({ name, environment: job.environment }).toEqual({ name, environment: name });
      const up = job.steps!.find((s) => s.uses?.startsWith("pulumi/actions@"));
      expect(up?.with?.["stack-name"]).toBe(`\${{ format('{0}/{1}', vars.PULUMI_ORG, '${name}') }}`);
    }
  });

  it("update-image: the job that runs repository code cannot write, the job that writes runs none", () => {
    const jobs = load("update-image.yml").jobs;
    const runsCode = (job: Job) =>
      (job.steps ?? []).some((s) => /\b(npm|npx|node|ts-node)\b/.test(s.run ?? ""));
    const writes = (job: Job) => Object.values(job.permissions ?? {}).includes("write");
    const checkout = (job: Job) => (job.steps ?? []).find((s) => s.uses?.startsWith("actions/checkout@"));
    expect(Object.keys(jobs)).toEqual(["update", "push", "deploy"]);
    for (const [name, job] of Object.entries(jobs)) {
      expect({ name, both: runsCode(job) && writes(job) }).toEqual({ name, both: false });
      if (runsCode(job)) expect(checkout(job)?.with?.["persist-credentials"]).toBe(false);
    }
    expect(jobs["update"].permissions).toEqual({ contents: "read" });
    expect(jobs["push"].permissions).toEqual({ contents: "write" });
    expect(jobs["deploy"].permissions).toEqual({ actions: "write" });
    expect(checkout(jobs["deploy"])).toBeUndefined();
    // The patch is checked to touch the stack files only, and travels through env, not `${{ }}` in a script.
    const push = jobs["push"].steps!.find((s) => s.run?.includes("git apply"))!;
    expect(push.run).toContain("git apply --numstat");
    expect(push.run).not.toContain("${{");
    expect(push.env).toEqual({
      PATCH: "${{ needs.update.outputs.patch }}",
      MESSAGE: "${{ needs.update.outputs.message }}",
    });
  });

  it("deploys stage before prod, prod behind its environment, homelab from the self-hosted runner", () => {
    const jobs = load("deploy.yml").jobs;
    expect(jobs["prod"].needs).toBe("stage");
    expect(jobs["prod"].environment).toBe("prod");
    expect(jobs["homelab"]["runs-on"]).toEqual(["self-hosted", "linux", "homelab"]);
  });
});
