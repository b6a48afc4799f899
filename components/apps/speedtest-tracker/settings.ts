/**
 * Typed settings of Speedtest Tracker (source document 004: "Internet speed history with
 * Grafana integration (production only)"), read from
 * `platform:clusters.<cluster>.appSettings.speedtest-tracker`. Names follow the app's
 * environment variables (speedtest-tracker docs, getting-started/environment-variables.md).
 */
import { BOTH, type ImageDefault } from "../../../config/apps/images";
import type { Reader } from "../../../config/reader";
import type { ClusterConfig } from "../../../config/types";
import { COMMON_FIELDS, LABEL, parseHomelabCommon, type HomelabAppSettings } from "../homelab-settings";

// Speedtest Tracker v1.15.0, LinuxServer.io build 170: upstream publishes no image of its
// own ("The image is built by LinuxServer.io", alexjustesen/speedtest-tracker README). The
// LinuxServer README's "Supported Architectures": x86-64 and arm64 (no armhf).
export const SPEEDTEST_TRACKER_IMAGES = {
  "speedtest-tracker": {
    repository: "lscr.io/linuxserver/speedtest-tracker",
    // renovate: datasource=docker depName=lscr.io/linuxserver/speedtest-tracker versioning=regex:^v(?<major>\d+)\.(?<minor>\d+)\.(?<patch>\d+)-ls(?<build>\d+)$
    tag: "v1.15.0-ls170",
    platforms: BOTH,
  },
} satisfies Readonly<Record<string, ImageDefault>>;

export interface SpeedtestTrackerSettings extends HomelabAppSettings {
  /** The CloudNativePG cluster in the app's namespace. @default `speedtest-tracker-db` */
  readonly postgresCluster: string;
  /**
   * `SPEEDTEST_SCHEDULE`, a cron expression; without one no test runs on its own.
   * @default `6 *\/2 * * *` (the docs' example: minute 6 of every second hour)
   */
  readonly schedule: string;
  /** `SPEEDTEST_SERVERS`: Ookla server IDs to pick from, comma-separated. @default any nearby server */
  readonly servers?: string;
  /** `PRUNE_RESULTS_OLDER_THAN`, days; 0 keeps every result. @default 0 */
  readonly pruneResultsOlderThanDays: number;
  /** `DISPLAY_TIMEZONE` (and the container's `TZ`). @default `Etc/UTC` */
  readonly timezone: string;
  /**
   * `ADMIN_EMAIL` of the initial admin user (its password is generated); "only effective
   * during initial setup". @default `admin@<cluster domain>`
   */
  readonly adminEmail?: string;
}

/** Parses `appSettings.speedtest-tracker`. */
export function parseSpeedtestTrackerSettings(
  r: Reader,
  cluster: Pick<ClusterConfig, "architecture">,
): SpeedtestTrackerSettings {
  r.only([
    ...COMMON_FIELDS,
    "postgresCluster",
    "schedule",
    "servers",
    "pruneResultsOlderThanDays",
    "timezone",
    "adminEmail",
  ]);
  const servers = r.optionalString("servers", {
    pattern: /^[0-9]+(,[0-9]+)*$/,
    expected: "comma-separated Ookla server IDs such as 36998,52365",
  });
  const adminEmail = r.optionalString("adminEmail", {
    pattern: /^[^@\s]+@[^@\s]+\.[^@\s]+$/,
    expected: "an email address",
  });
  return {
    ...parseHomelabCommon(r, "speedtest-tracker", SPEEDTEST_TRACKER_IMAGES, cluster),
    postgresCluster: r.string("postgresCluster", LABEL, "speedtest-tracker-db"),
    schedule: r.string(
      "schedule",
      { pattern: /^\S+( \S+){4}$/, expected: "a five-field cron expression such as '6 */2 * * *'" },
      "6 */2 * * *",
    ),
    ...(servers ? { servers } : {}),
    pruneResultsOlderThanDays: r.integer("pruneResultsOlderThanDays", { min: 0 }, 0),
    timezone: r.string(
      "timezone",
      { pattern: /^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/, expected: "an IANA time zone such as Europe/Amsterdam" },
      "Etc/UTC",
    ),
    ...(adminEmail ? { adminEmail } : {}),
  };
}
