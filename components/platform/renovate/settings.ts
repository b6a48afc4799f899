/**
 * Settings of the renovate platform service (`serviceSettings.renovate` of a cluster): their type,
 * their defaults with the source of each, and the parser its definition runs.
 */

import { ConfigError, type Reader } from "../../../config/reader";
import type { ClusterConfig } from "../../../config/types";
import { CRON, IMAGE } from "../settings-patterns";

export interface RenovateSettings {
  /** `renovate/renovate` image, tag@digest. */
  readonly image: string;
  /** Hourly (004: "Runs hourly as a CronJob in the cluster"). */
  readonly schedule: string;
  readonly platform: "github" | "gitlab" | "gitea" | "forgejo";
  /** Repositories Renovate works on (`owner/name`); required. */
  readonly repositories: readonly string[];
}

export const RENOVATE_DEFAULTS = {
  // 004's repository (ronaldlokers/homelab infrastructure/controllers/base/renovate/cronjob.yaml):
  // a plain CronJob, "@hourly", image pinned by tag and digest.
  // renovate: image
  image: "renovate/renovate:44.39.2@sha256:e6b93e709ca64495ab9307350b260064276ee02d15c6886387fd2d42c926623b",
  schedule: "@hourly",
  platform: "github" as const,
};

export function parseRenovateSettings(r: Reader, _cluster: ClusterConfig): RenovateSettings {
  r.only(["image", "schedule", "platform", "repositories"]);
  const d = RENOVATE_DEFAULTS;
  const repositories = r.stringList("repositories", {
    pattern: /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_./-]+$/,
    expected: "owner/name",
  });
  if (repositories.length === 0) {
    throw new ConfigError(
      r.key("repositories"),
      [],
      "required; list the repositories Renovate updates, e.g. [ronaldlokers/homelab]",
    );
  }
  return {
    image: r.string("image", IMAGE, d.image),
    schedule: r.string("schedule", CRON, d.schedule),
    platform: r.string<RenovateSettings["platform"]>(
      "platform",
      { oneOf: ["github", "gitlab", "gitea", "forgejo"] },
      d.platform,
    ),
    repositories,
  };
}
