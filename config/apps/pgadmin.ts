/**
 * Typed settings of pgAdmin (source document 004: "PostgreSQL administration (production
 * only)"), read from `platform:clusters.<cluster>.appSettings.pgadmin`.
 */
import type { Reader } from "../reader";
import type { ClusterConfig } from "../types";
import { parseAppImages, type AppImages } from "./images";

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
    images: parseAppImages(r, "pgadmin", cluster.architecture),
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
