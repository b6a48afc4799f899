/**
 * `npm run secrets -- <stack>` and the README's lists come from config/secrets.ts, the same
 * rule the program enforces and the offline synth fakes. `UPDATE_SECRETS=1 npx jest
 * test/tools/secrets.test.ts` rewrites the README block after a change.
 */
import { BUILT_IN_UNITS } from "../../stacks/units";
import * as fs from "node:fs";
import * as path from "node:path";
import { CONFIG_KEYS } from "../../config/keys";
import { secretsNeededBy } from "../../config/load";
import { renderSecretPlan, secretPlan, SECRET_PLACEHOLDERS } from "../../config/secrets";
import { main } from "../../tools/secrets";
import { loadOfflineConfig } from "../../tools/stack-config";

const ROOT = path.join(__dirname, "..", "..");
const STACKS = ["stage", "prod", "homelab"] as const;

function planOf(stack: string) {
  const offline = loadOfflineConfig(ROOT, stack);
  const raw = {
    shape: offline.config["platform:shape"],
    clusters: offline.config["platform:clusters"],
    versions: offline.config["platform:versions"],
  };
  return { raw, plan: secretPlan(raw, BUILT_IN_UNITS) };
}

function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = main(argv, { out: (t) => out.push(t), err: (t) => err.push(t) }, ROOT);
  return { code, out: out.join(""), err: err.join("") };
}

describe("npm run secrets", () => {
  it("prints prod's nine required secrets as commands, with who needs each", () => {
    const { code, out } = run(["prod"]);
    expect(code).toBe(0);
    const commands = out.split("\n").filter((l) => l.startsWith("pulumi config set"));
    expect(commands.map((l) => l.split(" ")[4])).toEqual([
      "platform:hcloudToken",
      "platform:etcdBackupS3AccessKeyId",
      "platform:etcdBackupS3SecretAccessKey",
      "platform:cloudflareApiToken",
      "platform:cnpgBackupS3AccessKeyId",
      "platform:cnpgBackupS3SecretAccessKey",
      "platform:bitwardenAccessToken",
      "platform:renovateToken",
      "platform:steadyGhcrDockerConfigJson",
    ]);
    expect(commands).toContain(
      "pulumi config set --secret platform:cloudflareApiToken <zone-dns-edit-token>  # cert-manager on cluster prod",
    );
  });

  it("requires exactly what the program and the offline synth require", () => {
    for (const stack of STACKS) {
      const { raw, plan } = planOf(stack);
      expect(plan.required.map((s) => s.key).sort()).toEqual(
        [...secretsNeededBy(raw, BUILT_IN_UNITS)].sort(),
      );
    }
  });

  it("lists an optional secret only where something in the stack reads it", () => {
    const optional = (stack: string) => planOf(stack).plan.optional.map((s) => s.key);
    // Steady runs on stage and prod only; ntfy on homelab only; SOPS is Flux's (homelab).
    expect(optional("homelab")).not.toContain("steadyGhcrDockerConfigJson");
    expect(optional("homelab")).toEqual([
      "gitToken",
      "sopsAgeKey",
      "ntfyWebPushPublicKey",
      "ntfyWebPushPrivateKey",
    ]);
    expect(optional("prod")).not.toContain("sopsAgeKey");
    expect(optional("prod")).not.toContain("ntfyWebPushPublicKey");
  });

  it("has a placeholder for every secret key", () => {
    const secrets = Object.entries(CONFIG_KEYS)
      .filter(([, spec]) => spec.secret)
      .map(([key]) => key);
    expect(Object.keys(SECRET_PLACEHOLDERS).sort()).toEqual(secrets.sort());
  });

  it("names a bad stack and bad usage", () => {
    expect(run(["prdo"])).toEqual({
      code: 2,
      out: "",
      err: 'error: unknown stack "prdo": there is no Pulumi.prdo.yaml; stacks: homelab, prod, stage\n',
    });
    expect(run([]).code).toBe(64);
    expect(run([]).err).toBe("usage: npm run secrets -- <stack>\nstacks: homelab, prod, stage\n");
  });
});

describe("the README's secrets lists", () => {
  it("are the output of npm run secrets for each shipped stack", () => {
    const file = path.join(ROOT, "README.md");
    const readme = fs.readFileSync(file, "utf8");
    const generated = STACKS.map((stack) => renderSecretPlan(stack, planOf(stack).plan).join("\n")).join(
      "\n\n",
    );
    const block = `<!-- secrets:begin -->\n\n\`\`\`sh\n${generated}\n\`\`\`\n\n<!-- secrets:end -->`;
    const current = /<!-- secrets:begin -->[\s\S]*?<!-- secrets:end -->/.exec(readme)?.[0];
    if (process.env.UPDATE_SECRETS === "1" && current !== undefined)
      fs.writeFileSync(file, readme.replace(current, block));
    else expect(current).toBe(block);
  });
});
