/**
 * Typed settings of pgAdmin (source document 004: "PostgreSQL administration (production
 * only)"), read from `platform:clusters.<cluster>.appSettings.pgadmin`.
 */
import { BOTH, type ImageDefault } from "../../../config/apps/images";
import type { Reader } from "../../../config/reader";
import type { ClusterConfig } from "../../../config/types";
import { parseAppImages, type AppImages } from "../../../config/apps/images";

export const PGADMIN_IMAGES = {
  // pgAdmin 4 9.8 (pgadmin.org "Container Deployment": dpage/pgadmin4:<version>); ARM64
  // containers since pgadmin-org/pgadmin4 issue #4126 (RM #6212, closed), amd64 throughout.
  pgadmin: {
    repository: "docker.io/dpage/pgadmin4",
    // renovate: datasource=docker depName=docker.io/dpage/pgadmin4 versioning=docker
    tag: "9.8",
    platforms: BOTH,
  },
} satisfies Readonly<Record<string, ImageDefault>>;

export interface PgadminSettings {
  /** @default "pgadmin" */
  readonly namespace: string;
  /** `pgadmin`. */
  readonly images: AppImages;
  /** Hostname label under the cluster domain. @default "pgadmin" */
  readonly host: string;
  /**
   * The first administrator's login, `PGADMIN_DEFAULT_EMAIL` (pgAdmin "Container Deployment":
   * required at launch). @default `admin@<cluster domain>`
   */
  readonly email?: string;
  /** The `/var/lib/pgadmin` volume (its SQLite settings database). @default "1Gi" */
  readonly storageSize: string;
  /**
   * The CloudNativePG clusters pgAdmin administers, each `<namespace>/<database cluster>`:
   * only these admit it and only these it may reach. @default none (pgAdmin reaches no database)
   */
  readonly databases: readonly { readonly namespace: string; readonly cluster: string }[];
}

const LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Parses `platform:clusters.<cluster>.appSettings.pgadmin`. */
export function parsePgadminSettings(
  r: Reader,
  cluster: Pick<ClusterConfig, "name" | "architecture">,
): PgadminSettings {
  r.only(["namespace", "images", "host", "email", "storageSize", "databases"]);
  const label = { pattern: LABEL, expected: "a DNS label" };
  const email = r.optionalString("email", {
    pattern: /^[^@\s]+@[^@\s]+\.[^@\s]+$/,
    expected: "an email address",
  });
  return {
    namespace: r.string("namespace", label, "pgadmin"),
    images: parseAppImages(r, "pgadmin", PGADMIN_IMAGES, cluster.architecture),
    host: r.string("host", label, "pgadmin"),
    ...(email ? { email } : {}),
    storageSize: r.string(
      "storageSize",
      { pattern: /^[1-9][0-9]*(Mi|Gi)$/, expected: "a size such as 1Gi" },
      "1Gi",
    ),
    databases: r
      .stringList("databases", {
        pattern: /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\/[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/,
        expected: "<namespace>/<database cluster>, e.g. immich/immich-db",
      })
      .map((ref) => {
        const [namespace, cluster] = ref.split("/");
        return { namespace, cluster };
      }),
  };
}
