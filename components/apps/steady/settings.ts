/**
 * Typed settings of the Steady application stack (source document 000), read from
 * `platform:clusters.<cluster>.appSettings.steady`. Image references live in
 * config/apps/images.ts (defaults) and `images.<image>` (per cluster, written by the
 * image_update flow).
 */
import { BOTH, type ImageDefault } from "../../../config/apps/images";
import { ConfigError, Reader } from "../../../config/reader";
import type { ClusterConfig } from "../../../config/types";
import { parseAppImages, type AppImages } from "../../../config/apps/images";

export const STEADY_IMAGES = {
  // Document 000 names the repositories (ghcr.io/hitchai-app/<service>); tags come from CI.
  // Private images built for the Hetzner (amd64) clusters.
  "platform-backend": { repository: "ghcr.io/hitchai-app/platform-backend", platforms: ["amd64"] },
  "inference-backend": { repository: "ghcr.io/hitchai-app/inference-backend", platforms: ["amd64"] },
  "dev-ui": { repository: "ghcr.io/hitchai-app/dev-ui", platforms: ["amd64"] },
  // Valkey 8.1.11 (https://valkey.io/download/releases/v8-1-11/); a Docker official image,
  // published for amd64 and arm64v8 among others (hub.docker.com/_/valkey).
  valkey: {
    repository: "docker.io/valkey/valkey",
    // renovate: datasource=docker depName=docker.io/valkey/valkey versioning=docker
    tag: "8.1.11-alpine",
    platforms: BOTH,
  },
  // Centrifugo v6.9.3 (centrifugal/helm-charts PR #159); images for linux/amd64 and arm64.
  centrifugo: {
    repository: "docker.io/centrifugo/centrifugo",
    // renovate: datasource=docker depName=docker.io/centrifugo/centrifugo versioning=docker
    tag: "v6.9.3",
    platforms: BOTH,
  },
  // The LiteLLM docs' stable release image (docs/my-website/docs/proxy/docker_quick_start).
  litellm: {
    repository: "ghcr.io/berriai/litellm",
    // renovate: datasource=docker depName=ghcr.io/berriai/litellm versioning=docker
    tag: "main-v1.77.2-stable",
    platforms: ["amd64"],
  },
} satisfies Readonly<Record<string, ImageDefault>>;

/** The Steady services built by their own CI, each with a migration Job (document 000). */
export const STEADY_SERVICES = ["platform-backend", "inference-backend", "dev-ui"] as const;
export type SteadyService = (typeof STEADY_SERVICES)[number];
/** The services that run a migration Job before their Deployment. */
export const STEADY_MIGRATING = ["platform-backend", "inference-backend"] as const;
export type SteadyMigrating = (typeof STEADY_MIGRATING)[number];

export interface SteadySettings {
  /** `stage` or `prod` (document 000: branches `stage` and `prod`). */
  readonly environment: "stage" | "prod";
  /** @default `steady-<environment>` (document 000: `steady-prod` on prod). */
  readonly namespace: string;
  /** By image name; a service image is `undefined` until CI sets its reference. */
  readonly images: AppImages;
  /**
   * The migration command of each migrating service's image. Document 000 names only the Job
   * (`platform-backend-migration`), not the command, so it is required config once that
   * service's image is set, never a guess.
   */
  readonly migrationCommands: Readonly<Partial<Record<SteadyMigrating, readonly string[]>>>;
  /** Container port of the three Steady services (not in document 000). @default 3000 */
  readonly servicePort: number;
  /** Replicas of each Steady service. @default 1 */
  readonly replicas: number;
  /** Hostname labels under the cluster domain. */
  readonly hosts: { readonly ui: string; readonly api: string; readonly realtime: string };
  /** The CloudNativePG cluster (document 000: `postgres`). */
  readonly postgresCluster: string;
}

const LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Parses `platform:clusters.<cluster>.appSettings.steady`. */
export function parseSteadySettings(
  r: Reader,
  cluster: Pick<ClusterConfig, "name" | "architecture">,
): SteadySettings {
  r.only([
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
  const images = parseAppImages(r, "steady", STEADY_IMAGES, cluster.architecture);
  const migrations = r.optionalObject("migrationCommands").only([...STEADY_MIGRATING]);
  const migrationCommands: Partial<Record<SteadyMigrating, string[]>> = {};
  for (const name of STEADY_MIGRATING) {
    if (!migrations.has(name)) {
      if (images[name])
        throw new ConfigError(
          migrations.key(name),
          undefined,
          `required once images.${name} is set: the command that runs its migrations, e.g. [node, dist/migrate.js]`,
        );
      continue;
    }
    const list = migrations.stringList(name, { pattern: /\S/, expected: "a non-empty argument" });
    if (list.length === 0)
      throw new ConfigError(
        migrations.key(name),
        list,
        "required: the command that runs the migrations, e.g. [node, dist/migrate.js]",
      );
    migrationCommands[name] = list;
  }
  const hosts = r.optionalObject("hosts").only(["ui", "api", "realtime"]);
  const label = { pattern: LABEL, expected: "a DNS label" };
  return {
    environment,
    namespace: r.string("namespace", label, `steady-${environment}`),
    images,
    migrationCommands,
    servicePort: r.integer("servicePort", { min: 1024, max: 65535 }, 3000),
    replicas: r.integer("replicas", { min: 1, max: 20 }, 1),
    hosts: {
      // Each environment has its own cluster domain (stage.goingdark.social), so the labels match.
      ui: hosts.string("ui", label, "app"),
      api: hosts.string("api", label, "api"),
      realtime: hosts.string("realtime", label, "realtime"),
    },
    postgresCluster: r.string("postgresCluster", label, "postgres"),
  };
}
