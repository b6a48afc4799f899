/**
 * The image-update flow of source document 000: a service's CI sends a `repository_dispatch`
 * event `image_update` with a payload naming the app, the image and the new pinned
 * reference, and the branch it was built for (`stage` from the service's `dev` branch,
 * `prod` from `master`). This sets the reference in every stack file whose cluster tracks
 * that git branch and enables the app, preserving the file's comments and layout (the
 * `yaml` package's Document API), and prints the commit message. The workflow
 * `.github/workflows/update-image.yml` commits the result.
 *
 *   npm run update-image -- --event "$GITHUB_EVENT_PATH" [--message-file FILE]
 *   npm run update-image -- --payload '{"app":"steady","image":"platform-backend",
 *     "reference":"ghcr.io/hitchai-app/platform-backend:1.5.0","branch":"prod"}'
 */
// First: a compiled tool refuses to run from a stale bin/ (lib/fresh.ts).
import "../lib/fresh";
import * as fs from "node:fs";
import * as path from "node:path";
import { isMap, isScalar, parseDocument, type Document } from "yaml";
import { IMAGE_REFERENCE as REFERENCE, repositoryOf } from "../lib/image-ref";
import { loadConfig } from "../config/load";
import { ConfigError } from "../config/reader";
import { runProgram } from "../lib/mock-runtime";
import { REPO_ROOT } from "../lib/root";
import type { AppDefinition } from "../components/apps/types";
import { BUILT_IN_UNITS, unitsOfRawConfig, withAppModules } from "../stacks/units";
import { knownStacks, loadOfflineConfig, StackFileError } from "./stack-config";

/** What a service's CI sends as `client_payload`. */
export interface ImageUpdate {
  /** An app of config/catalog.ts. */
  readonly app: string;
  /** The image's name within the app (a DNS label, e.g. `platform-backend`). */
  readonly image: string;
  /** The new reference, pinned: `repo:tag` (never `latest`) and/or `@sha256:<digest>`. */
  readonly reference: string;
  /** The git branch the engines of the target clusters track (`stage`, `prod`, `main`). */
  readonly branch: string;
}

/** One change made to a stack file. */
export interface ImageChange {
  readonly stack: string;
  readonly cluster: string;
  readonly from?: string;
  readonly to: string;
}

/** A payload or stack file this flow refuses; the message names the key, value and fix. */
export class ImageUpdateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ImageUpdateError";
  }
}

/**
 * Where an app's image reference lives in a stack file, as a YAML path. The one place that
 * knows the layout of `appSettings`; change it here if the layout changes.
 */
export function imagePath(cluster: string, app: string, image: string): string[] {
  return ["config", "platform:clusters", cluster, "appSettings", app, "images", image];
}

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
export { repositoryOf };

function fail(key: string, value: unknown, fix: string): never {
  throw new ImageUpdateError(`Invalid image_update payload ${key} = ${JSON.stringify(value)}: ${fix}`);
}

/**
 * The apps an update may name: the built-in ones and the custom apps (`platform:appModules`)
 * of every stack file.
 */
export function knownApps(root: string): readonly AppDefinition[] {
  const apps = [...BUILT_IN_UNITS.apps];
  for (const stack of knownStacks(root)) {
    let config: Record<string, unknown>;
    try {
      config = loadOfflineConfig(root, stack).config;
    } catch (error) {
      // A stack file the CLI would refuse adds no apps; validating the edit reports it.
      if (error instanceof StackFileError) continue;
      throw error;
    }
    for (const d of unitsOfRawConfig(config).apps) if (!apps.some((a) => a.name === d.name)) apps.push(d);
  }
  return apps;
}

/** Checks a `client_payload` against the apps it may name; returns it typed or throws one clear error. */
export function parsePayload(
  raw: unknown,
  apps: readonly AppDefinition[] = BUILT_IN_UNITS.apps,
): ImageUpdate {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw))
    fail("client_payload", raw, "send an object with app, image, reference and branch");
  const p = raw as Record<string, unknown>;
  const extra = Object.keys(p).filter((k) => !["app", "image", "reference", "branch"].includes(k));
  if (extra.length > 0)
    fail(extra[0], p[extra[0]], "unknown key; the payload has app, image, reference and branch");
  const definition = apps.find((d) => d.name === p["app"]);
  if (typeof p["app"] !== "string" || !definition)
    fail(
      "app",
      p["app"],
      `unknown app; known: ${apps
        .map((d) => d.name)
        .sort()
        .join(", ")}`,
    );
  if (typeof p["image"] !== "string" || !DNS_LABEL.test(p["image"]))
    fail("image", p["image"], "the image's name within the app, a DNS label such as platform-backend");
  const known = Object.keys(definition.images);
  if (!known.includes(p["image"]))
    fail(
      "image",
      p["image"],
      known.length
        ? `not an image of ${p["app"]}; its images: ${known.join(", ")}`
        : `${p["app"]} has no images the program builds yet`,
    );
  const reference = p["reference"];
  const m = typeof reference === "string" ? REFERENCE.exec(reference) : null;
  if (typeof reference !== "string" || !m?.groups)
    fail("reference", reference, "not an image reference; send registry/repository:tag or @sha256:<digest>");
  const { tag, digest } = m.groups;
  if (!digest && (!tag || tag === "latest"))
    fail(
      "reference",
      reference,
      "not pinned; send an immutable version tag (not latest) or @sha256:<digest>",
    );
  if (typeof p["branch"] !== "string" || !/^[A-Za-z0-9._/-]+$/.test(p["branch"]))
    fail("branch", p["branch"], "the git branch the image was built for, e.g. stage or prod");
  return { app: p["app"], image: p["image"], reference, branch: p["branch"] };
}

interface ClusterEntry {
  git?: { branch?: unknown };
  apps?: unknown;
}

/**
 * Applies an update to one stack file's text. Returns the new text and the changes (none
 * when no cluster of the file tracks the branch with the app enabled).
 */
export function updateStackFile(
  stack: string,
  text: string,
  update: ImageUpdate,
): { text: string; changes: ImageChange[] } {
  const doc: Document = parseDocument(text);
  if (doc.errors.length > 0)
    throw new ImageUpdateError(
      `Pulumi.${stack}.yaml does not parse: ${doc.errors[0].message.split("\n")[0]}`,
    );
  const clusters = doc.getIn(["config", "platform:clusters"]);
  if (!isMap(clusters)) return { text, changes: [] };
  const changes: ImageChange[] = [];
  for (const item of clusters.items) {
    const cluster = String(isScalar(item.key) ? item.key.value : item.key);
    const entry = (isMap(item.value) ? item.value.toJSON() : {}) as ClusterEntry;
    const apps = Array.isArray(entry.apps) ? entry.apps : [];
    if (entry.git?.branch !== update.branch || !apps.includes(update.app)) continue;
    const at = imagePath(cluster, update.app, update.image);
    const current = doc.getIn(at);
    if (current !== undefined && typeof current !== "string")
      throw new ImageUpdateError(
        `Pulumi.${stack}.yaml ${at.slice(1).join(".")} is not a string; fix it by hand`,
      );
    if (current !== undefined && repositoryOf(current) !== repositoryOf(update.reference))
      throw new ImageUpdateError(
        `refusing to change the repository of ${at.slice(1).join(".")} in Pulumi.${stack}.yaml from ${repositoryOf(current)} to ${repositoryOf(update.reference)}; change it by hand in a reviewed pull request`,
      );
    if (current === update.reference) continue;
    doc.setIn(at, update.reference);
    changes.push({ stack, cluster, from: current, to: update.reference });
  }
  if (changes.length === 0) return { text, changes };
  return { text: doc.toString({ lineWidth: 0 }), changes };
}

/** Applies an update to every stack file under `root`; writes the files it changes. */
export function applyUpdate(root: string, update: ImageUpdate): ImageChange[] {
  const all: ImageChange[] = [];
  const targets: string[] = [];
  for (const stack of knownStacks(root)) {
    const file = path.join(root, `Pulumi.${stack}.yaml`);
    const text = fs.readFileSync(file, "utf8");
    const doc = parseDocument(text).toJS() as { config?: Record<string, unknown> } | null;
    const clusters = (doc?.config?.["platform:clusters"] ?? {}) as Record<string, ClusterEntry>;
    for (const [name, c] of Object.entries(clusters))
      if (c?.git?.branch === update.branch && Array.isArray(c.apps) && c.apps.includes(update.app))
        targets.push(`${stack}/${name}`);
    const result = updateStackFile(stack, text, update);
    if (result.changes.length > 0) fs.writeFileSync(file, result.text);
    all.push(...result.changes);
  }
  if (targets.length === 0)
    fail(
      "branch",
      update.branch,
      `no cluster tracks this branch with ${update.app} enabled; enable the app on a cluster whose git.branch is ${update.branch}, or send the right branch`,
    );
  return all;
}

/**
 * Reads a stack file with the program's own config loader, as `pulumi preview` would (secrets
 * faked, never decrypted). Returns the config error's message, or undefined when it is valid.
 */
export async function validateStack(root: string, stack: string): Promise<string | undefined> {
  const offline = loadOfflineConfig(root, stack);
  try {
    await runProgram(() => loadConfig((modules) => withAppModules(modules)), {
      project: offline.project,
      stack,
      config: offline.config,
      secretKeys: offline.secretKeys,
    });
    return undefined;
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
}

/** The commit message, in the style of 000 (`chore(<app>): update <image> image to <tag>`). */
export function commitMessage(update: ImageUpdate, changes: readonly ImageChange[]): string {
  const version = update.reference.slice(repositoryOf(update.reference).length).replace(/^[:@]/, "");
  const where = changes.map((c) => `${c.stack}/${c.cluster}`).join(", ");
  return `chore(${update.app}): update ${update.image} image to ${version}\n\nRequested by the image_update dispatch for branch ${update.branch}; clusters: ${where}.\n`;
}

/**
 * Runs the CLI; returns the exit code: 0 done, 2 a refused payload or a stack file that the
 * update leaves invalid (the error names the key to set; nothing should be committed), 64 usage.
 */
export async function main(
  argv: readonly string[],
  io: { out: (t: string) => void; err: (t: string) => void } = {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
  },
  root = REPO_ROOT,
): Promise<number> {
  const args = [...argv];
  const take = (flag: string) => {
    const i = args.indexOf(flag);
    return i < 0 ? undefined : args.splice(i, 2)[1];
  };
  const event = take("--event");
  const payload = take("--payload");
  const messageFile = take("--message-file");
  if (args.length > 0 || (event === undefined) === (payload === undefined)) {
    io.err("usage: npm run update-image -- (--event EVENT.json | --payload JSON) [--message-file FILE]\n");
    return 64;
  }
  try {
    let raw: unknown;
    try {
      raw =
        event !== undefined
          ? (JSON.parse(fs.readFileSync(event, "utf8")) as { client_payload?: unknown }).client_payload
          : JSON.parse(payload!);
    } catch (error) {
      throw new ImageUpdateError(`the payload is not JSON: ${(error as Error).message}`);
    }
    const update = parsePayload(raw, knownApps(root));
    const changes = applyUpdate(root, update);
    if (changes.length === 0) {
      io.out(`${update.app} ${update.image} is already ${update.reference}; nothing to commit\n`);
      return 0;
    }
    for (const c of changes) io.out(`${c.stack}/${c.cluster}: ${c.from ?? "(unset)"} -> ${c.to}\n`);
    // The written file must still load: a new image can make other settings required (Steady's
    // migrationCommands.<service> once its image is set). Fail before anything is committed.
    let invalid = false;
    for (const stack of [...new Set(changes.map((c) => c.stack))]) {
      const problem = await validateStack(root, stack);
      if (problem === undefined) continue;
      invalid = true;
      io.err(
        `error: Pulumi.${stack}.yaml no longer loads after this update; set what it names, then re-run:\n${problem}\n`,
      );
    }
    if (invalid) return 2;
    if (messageFile) fs.writeFileSync(messageFile, commitMessage(update, changes));
    return 0;
  } catch (error) {
    if (error instanceof ImageUpdateError) {
      io.err(`error: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

if (require.main === module)
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
