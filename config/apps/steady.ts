/**
 * Typed settings of the Steady application stack (source document 000), read from
 * `platform:clusters.<cluster>.appSettings.steady`. Image references are config: the
 * defaults live in {@link STEADY_IMAGE_DEFAULTS} (one place, so a CI job bumps one value),
 * and each can be overridden per cluster under `images.<name>`.
 */
import type { ImageRef } from "../../components/apps/workload/types";
import { ConfigError, Reader } from "../reader";

export type SteadyImage =
  "platformBackend" | "inferenceBackend" | "devUi" | "valkey" | "centrifugo" | "litellm";
export const STEADY_IMAGES: readonly SteadyImage[] = [
  "platformBackend",
  "inferenceBackend",
  "devUi",
  "valkey",
  "centrifugo",
  "litellm",
];

/**
 * Image defaults. The three Steady services are built by their own CI and document 000 gives
 * only their names (ghcr.io/hitchai-app/<service>), no tag: their tag is required config.
 */
export const STEADY_IMAGE_DEFAULTS: Readonly<
  Record<SteadyImage, { readonly repository: string; readonly tag?: string }>
> = {
  platformBackend: { repository: "ghcr.io/hitchai-app/platform-backend" },
  inferenceBackend: { repository: "ghcr.io/hitchai-app/inference-backend" },
  devUi: { repository: "ghcr.io/hitchai-app/dev-ui" },
  // Valkey 8.1.11, released 2026-10-26 (https://valkey.io/download/releases/v8-1-11/).
  valkey: { repository: "docker.io/valkey/valkey", tag: "8.1.11-alpine" },
  // Centrifugo v6.9.3 (centrifugal/helm-charts PR #159, "Bump version and use Centrifugo v6.9.3").
  centrifugo: { repository: "docker.io/centrifugo/centrifugo", tag: "v6.9.3" },
  // LiteLLM stable release image, as in the LiteLLM docs' `docker run` example
  // (docs/my-website/docs/proxy/docker_quick_start: ghcr.io/berriai/litellm:main-v1.77.2-stable).
  litellm: { repository: "ghcr.io/berriai/litellm", tag: "main-v1.77.2-stable" },
};

/** The Steady services that run a migration Job before their Deployment. */
export type SteadyMigrating = "platformBackend" | "inferenceBackend";

export interface SteadySettings {
  /** `stage` or `prod` (document 000: branches `stage` and `prod`). */
  readonly environment: "stage" | "prod";
  /** @default `steady-<environment>` (document 000: `steady-prod` on prod). */
  readonly namespace: string;
  readonly images: Readonly<Record<SteadyImage, ImageRef>>;
  /**
   * The migration command of each migrating service's image. Document 000 does not name it
   * (only the Job `platform-backend-migration`), so it is required config, never a guess.
   */
  readonly migrationCommands: Readonly<Record<SteadyMigrating, readonly string[]>>;
  /** Container port of the three Steady services (not in document 000). @default 3000 */
  readonly servicePort: number;
  /** Replicas of each Steady service. @default 1 */
  readonly replicas: number;
  /** Hostname labels under the cluster domain. */
  readonly hosts: { readonly ui: string; readonly api: string; readonly realtime: string };
  /** The CloudNativePG cluster (document 000: `postgres`). */
  readonly postgresCluster: string;
}

const TAG = /^(?!latest$)[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;
const LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

function image(r: Reader, name: SteadyImage): ImageRef {
  const fallback = STEADY_IMAGE_DEFAULTS[name];
  const o = r.optionalObject(name).only(["repository", "tag", "digest"]);
  const repository = o.string(
    "repository",
    {
      pattern: /^[a-z0-9.-]+(:\d+)?\/[a-z0-9._/-]+$/,
      expected: "an image repository such as ghcr.io/org/name",
    },
    fallback.repository,
  );
  if (!o.has("tag") && fallback.tag === undefined) {
    throw new ConfigError(
      o.key("tag"),
      undefined,
      `required: document 000 gives no tag for ${repository}; set the exact tag CI built (never "latest")`,
    );
  }
  const tag = o.string("tag", { pattern: TAG, expected: 'an exact image tag (not "latest")' }, fallback.tag);
  const digest = o.optionalString("digest", { pattern: DIGEST, expected: "sha256:<64 hex digits>" });
  return { repository, tag, ...(digest ? { digest } : {}) };
}

/** Parses `platform:clusters.<cluster>.appSettings.steady`. */
export function parseSteadySettings(cluster: string, raw: unknown): SteadySettings {
  const r = Reader.object(`platform:clusters.${cluster}.appSettings.steady`, raw).only([
    "environment",
    "namespace",
    "images",
    "migrationCommands",
    "servicePort",
    "replicas",
    "hosts",
    "postgresCluster",
  ]);
  const environment = r.string("environment", { oneOf: ["stage", "prod"] as const });
  const images = r.optionalObject("images").only([...STEADY_IMAGES]);
  const migrations = r.object("migrationCommands").only(["platformBackend", "inferenceBackend"]);
  const command = (name: SteadyMigrating): string[] => {
    const list = migrations.stringList(name, { pattern: /\S/, expected: "a non-empty argument" });
    if (list.length === 0)
      throw new ConfigError(
        migrations.key(name),
        list,
        "required: the command that runs the migrations, e.g. [node, dist/migrate.js]",
      );
    return list;
  };
  const hosts = r.optionalObject("hosts").only(["ui", "api", "realtime"]);
  const label = { pattern: LABEL, expected: "a DNS label" };
  return {
    environment,
    namespace: r.string("namespace", label, `steady-${environment}`),
    images: Object.fromEntries(STEADY_IMAGES.map((n) => [n, image(images, n)])) as Record<
      SteadyImage,
      ImageRef
    >,
    migrationCommands: {
      platformBackend: command("platformBackend"),
      inferenceBackend: command("inferenceBackend"),
    },
    servicePort: r.integer("servicePort", { min: 1024, max: 65535 }, 3000),
    replicas: r.integer("replicas", { min: 1, max: 20 }, 1),
    hosts: {
      ui: hosts.string("ui", label, environment === "prod" ? "app" : "app-stage"),
      api: hosts.string("api", label, environment === "prod" ? "api" : "api-stage"),
      realtime: hosts.string("realtime", label, environment === "prod" ? "realtime" : "realtime-stage"),
    },
    postgresCluster: r.string("postgresCluster", label, "postgres"),
  };
}
