import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseDocument } from "yaml";
import {
  commitMessage,
  imagePath,
  main,
  parsePayload,
  updateStackFile,
  type ImageUpdate,
} from "../../tools/update-image";

const ROOT = path.join(__dirname, "..", "..");
const DIGEST = `sha256:${"a".repeat(64)}`;

const STACK = [
  "# Production (a comment that must survive)",
  "config:",
  "  platform:shape: cloud",
  "  platform:clusters:",
  "    prod:",
  "      kind: talos-hcloud",
  "      git:",
  "        url: https://github.com/example/platform.git",
  "        branch: prod # tracked by Argo CD",
  "      apps:",
  "        - steady",
  "      appSettings:",
  "        steady:",
  "          replicas: 2 # keep",
  "          images:",
  "            platform-backend: ghcr.io/hitchai-app/platform-backend:1.4.0",
  "",
].join("\n");

const update = (over: Partial<ImageUpdate> = {}): ImageUpdate => ({
  app: "steady",
  image: "platform-backend",
  reference: "ghcr.io/hitchai-app/platform-backend:1.5.0",
  branch: "prod",
  ...over,
});

function errorOf(raw: unknown): string {
  try {
    parsePayload(raw);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("expected an error");
}

describe("image_update payload", () => {
  it("accepts a pinned reference of a known app", () => {
    expect(
      parsePayload({ ...update(), reference: `ghcr.io/hitchai-app/platform-backend:1.5.0@${DIGEST}` }),
    ).toEqual(update({ reference: `ghcr.io/hitchai-app/platform-backend:1.5.0@${DIGEST}` }));
    expect(parsePayload(update({ reference: `registry.local:5000/team/app@${DIGEST}` })).reference).toBe(
      `registry.local:5000/team/app@${DIGEST}`,
    );
  });

  it("refuses an unknown app with the known ones", () => {
    expect(errorOf(update({ app: "stedy" }))).toMatch(
      /^Invalid image_update payload app = "stedy": unknown app; known: commafeed, cortex-api, cryptpad, /,
    );
  });

  it("refuses a reference that is not pinned", () => {
    expect(errorOf(update({ reference: "ghcr.io/hitchai-app/platform-backend:latest" }))).toBe(
      'Invalid image_update payload reference = "ghcr.io/hitchai-app/platform-backend:latest": not pinned; send an immutable version tag (not latest) or @sha256:<digest>',
    );
    expect(errorOf(update({ reference: "ghcr.io/hitchai-app/platform-backend" }))).toContain("not pinned");
    expect(errorOf(update({ reference: "ghcr.io/x:1.0; rm -rf /" }))).toBe(
      'Invalid image_update payload reference = "ghcr.io/x:1.0; rm -rf /": not an image reference; send registry/repository:tag or @sha256:<digest>',
    );
  });

  it("refuses unknown keys, a bad image name and a bad branch", () => {
    expect(errorOf({ ...update(), tag: "x" })).toBe(
      'Invalid image_update payload tag = "x": unknown key; the payload has app, image, reference and branch',
    );
    expect(errorOf(update({ image: "Platform_Backend" }))).toContain('image = "Platform_Backend"');
    expect(errorOf(update({ branch: "prod$(id)" }))).toContain('branch = "prod$(id)"');
    expect(errorOf(update({ image: "platform-frontend" }))).toBe(
      'Invalid image_update payload image = "platform-frontend": not an image of steady; its images: platform-backend, inference-backend, dev-ui, valkey, centrifugo, litellm',
    );
    expect(errorOf("x")).toBe(
      'Invalid image_update payload client_payload = "x": send an object with app, image, reference and branch',
    );
  });
});

describe("stack file update", () => {
  it("keeps the path logic in one function", () => {
    expect(imagePath("prod", "steady", "platform-backend")).toEqual([
      "config",
      "platform:clusters",
      "prod",
      "appSettings",
      "steady",
      "images",
      "platform-backend",
    ]);
  });

  it("changes only the image line and keeps every comment", () => {
    const { text, changes } = updateStackFile("prod", STACK, update());
    expect(text).toBe(STACK.replace("platform-backend:1.4.0", "platform-backend:1.5.0"));
    expect(changes).toEqual([
      {
        stack: "prod",
        cluster: "prod",
        from: "ghcr.io/hitchai-app/platform-backend:1.4.0",
        to: "ghcr.io/hitchai-app/platform-backend:1.5.0",
      },
    ]);
    expect(commitMessage(update(), changes)).toBe(
      "chore(steady): update platform-backend image to 1.5.0\n\nRequested by the image_update dispatch for branch prod; clusters: prod/prod.\n",
    );
  });

  it("adds the setting when the app has none yet", () => {
    const bare = STACK.split("      appSettings:")[0];
    const { text } = updateStackFile("prod", bare, update());
    expect(text).toBe(
      `${bare}      appSettings:\n        steady:\n          images:\n            platform-backend: ghcr.io/hitchai-app/platform-backend:1.5.0\n`,
    );
  });

  it("leaves clusters of another branch alone and refuses a repository change", () => {
    expect(updateStackFile("prod", STACK, update({ branch: "stage" }))).toEqual({ text: STACK, changes: [] });
    expect(() =>
      updateStackFile("prod", STACK, update({ reference: "docker.io/evil/backend:1.5.0" })),
    ).toThrow(
      "refusing to change the repository of platform:clusters.prod.appSettings.steady.images.platform-backend in Pulumi.prod.yaml from ghcr.io/hitchai-app/platform-backend to docker.io/evil/backend; change it by hand in a reviewed pull request",
    );
  });
});

describe("update-image command line", () => {
  /** A project with the shipped stage and prod stack files. */
  function project(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "update-image-"));
    for (const file of ["Pulumi.yaml", "Pulumi.stage.yaml", "Pulumi.prod.yaml"])
      fs.copyFileSync(path.join(ROOT, file), path.join(dir, file));
    return dir;
  }
  /** Sets Steady's migration command on stage, which its images make required. */
  function withMigration(dir: string): void {
    const file = path.join(dir, "Pulumi.stage.yaml");
    const doc = parseDocument(fs.readFileSync(file, "utf8"));
    doc.setIn(["config", "platform:clusters", "stage", "appSettings", "steady", "migrationCommands"], {
      "platform-backend": ["node", "dist/migrate.js"],
    });
    fs.writeFileSync(file, doc.toString());
  }

  async function run(argv: string[], root: string) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(argv, { out: (t) => out.push(t), err: (t) => err.push(t) }, root);
    return { code, out: out.join(""), err: err.join("") };
  }

  it("reads the dispatch event, writes the stack file of the branch and the commit message", async () => {
    const dir = project();
    withMigration(dir);
    const prod = fs.readFileSync(path.join(dir, "Pulumi.prod.yaml"), "utf8");
    const event = path.join(dir, "event.json");
    fs.writeFileSync(
      event,
      JSON.stringify({ action: "image_update", client_payload: update({ branch: "stage" }) }),
    );
    const message = path.join(dir, "message.txt");
    expect(await run(["--event", event, "--message-file", message], dir)).toEqual({
      code: 0,
      out: "stage/stage: (unset) -> ghcr.io/hitchai-app/platform-backend:1.5.0\n",
      err: "",
    });
    expect(fs.readFileSync(path.join(dir, "Pulumi.prod.yaml"), "utf8")).toBe(prod);
    expect(fs.readFileSync(path.join(dir, "Pulumi.stage.yaml"), "utf8")).toContain("platform-backend:1.5.0");
    expect(fs.readFileSync(message, "utf8")).toMatch(
      /^chore\(steady\): update platform-backend image to 1\.5\.0\n/,
    );
  });

  it("exits 2 naming the key to set when the update leaves the stack file invalid, and writes no message", async () => {
    const dir = project();
    const message = path.join(dir, "message.txt");
    const result = await run(
      ["--payload", JSON.stringify(update({ branch: "stage" })), "--message-file", message],
      dir,
    );
    expect(result.code).toBe(2);
    expect(result.err).toContain(
      "error: Pulumi.stage.yaml no longer loads after this update; set what it names, then re-run:",
    );
    expect(result.err).toContain(
      "platform:clusters.stage.appSettings.steady.migrationCommands.platform-backend",
    );
    expect(fs.existsSync(message)).toBe(false);
  });

  it("updates a custom app's image (platform:appModules) and validates with the custom app loaded", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "update-image-"));
    for (const file of ["Pulumi.yaml", "Pulumi.homelab.yaml"])
      fs.copyFileSync(path.join(ROOT, file), path.join(dir, file));
    const file = path.join(dir, "Pulumi.homelab.yaml");
    const doc = parseDocument(fs.readFileSync(file, "utf8"));
    doc.setIn(["config", "platform:appModules"], { whoami: "examples/custom-app" });
    const apps = doc.getIn(["config", "platform:clusters", "production", "apps"]) as { items: unknown[] };
    doc.setIn(["config", "platform:clusters", "production", "apps"], [...apps.items.map(String), "whoami"]);
    fs.writeFileSync(file, doc.toString());
    const payload = {
      app: "whoami",
      image: "whoami",
      reference: "docker.io/traefik/whoami:v1.11.1",
      branch: "main",
    };
    // Without the stack's module the app is unknown, as before.
    expect(() => parsePayload(payload)).toThrow('Invalid image_update payload app = "whoami": unknown app');
    expect(await run(["--payload", JSON.stringify(payload)], dir)).toEqual({
      code: 0,
      out: "homelab/production: (unset) -> docker.io/traefik/whoami:v1.11.1\n",
      err: "",
    });
    expect(fs.readFileSync(file, "utf8")).toContain("docker.io/traefik/whoami:v1.11.1");
  });

  it("fails with exit 2 when no cluster tracks the branch with the app", async () => {
    const dir = project();
    expect(await run(["--payload", JSON.stringify(update({ branch: "main" }))], dir)).toEqual({
      code: 2,
      out: "",
      err: 'error: Invalid image_update payload branch = "main": no cluster tracks this branch with steady enabled; enable the app on a cluster whose git.branch is main, or send the right branch\n',
    });
    expect((await run([], dir)).code).toBe(64);
  });
});
