/**
 * The outputs contract: what other teams read from a stack through a `StackReference`.
 * One description of every field (its kind, and whether it is secret) is the source of both
 * the TypeScript type consumers import and the runtime check the tests run over each stack's
 * synth outputs, so the two cannot drift. Keys are a public contract: renaming one breaks
 * consumers.
 */

/** How a field is checked: its value type, and whether it must be a secret output. */
type FieldKind = "string" | "string[]" | "secret" | "secret?";

/** Per cluster. */
export const CLUSTER_FIELDS = {
  name: "string",
  kind: "string",
  engine: "string",
  delivery: "string",
  gitBranch: "string",
  /** Repository directory the engine syncs. */
  gitPath: "string",
  /** `https://host:port` of the Kubernetes API, an address that answers. */
  apiEndpoint: "string",
  /**
   * Base64 PEM of the cluster CA (a kubeconfig's `certificate-authority-data`): public, so
   * a consumer can verify `apiEndpoint`. No admin credential is in the contract (README
   * "Outputs contract": a consumer authenticates as `consumerServiceAccount`).
   */
  certificateAuthorityData: "string",
  /** Namespace other teams deploy into. */
  consumerNamespace: "string",
  /** ServiceAccount in `consumerNamespace` (ClusterRole `edit` there only) to request tokens for. */
  consumerServiceAccount: "string",
  nodeAddresses: "string[]",
  /** Address LoadBalancer Services and the ingress answer on. */
  loadBalancerAddress: "string",
  /** `traefik` or `gateway-api`. */
  ingress: "string",
  /** Base DNS domain of the cluster's public hostnames. */
  ingressDomain: "string",
  storageClasses: "string[]",
  defaultStorageClass: "string",
} as const satisfies Record<string, FieldKind>;

/** Per app, keyed `<cluster>/<app>`. */
export const APP_FIELDS = {
  cluster: "string",
  /** Public URL of the app's main route. */
  url: "string",
} as const satisfies Record<string, FieldKind>;

/** Per database, keyed `<cluster>/<database>`. */
export const DATABASE_FIELDS = {
  cluster: "string",
  /** In-cluster read-write service host. */
  host: "string",
  port: "string",
  database: "string",
  namespace: "string",
  /** Secret (in `namespace`) with `username`, `password` and `uri`. */
  credentialsSecret: "string",
} as const satisfies Record<string, FieldKind>;

type ValueOf<K extends FieldKind> = K extends "string[]" ? string[] : string;
type Fields<T extends Record<string, FieldKind>> = {
  readonly [P in keyof T as T[P] extends "secret?" ? never : P]: ValueOf<T[P]>;
} & { readonly [P in keyof T as T[P] extends "secret?" ? P : never]?: ValueOf<T[P]> };

/** One cluster, as a consumer reads it (secret fields arrive as secret Outputs). */
export type ClusterContract = Fields<typeof CLUSTER_FIELDS>;
/** One app. */
export type AppContract = Fields<typeof APP_FIELDS>;
/** One database. */
export type DatabaseContract = Fields<typeof DATABASE_FIELDS>;

/** A stack's outputs. */
export interface StackContract {
  readonly stack: string;
  readonly shape: string;
  readonly clusters: Readonly<Record<string, ClusterContract>>;
  readonly apps: Readonly<Record<string, AppContract>>;
  readonly databases: Readonly<Record<string, DatabaseContract>>;
}

/** The marker a resolved secret output has in the synth plan. */
export type SecretMarker = string;

function checkFields(
  where: string,
  value: unknown,
  fields: Readonly<Record<string, FieldKind>>,
  secretMarker: SecretMarker,
): string[] {
  if (value === null || typeof value !== "object") return [`${where}: expected an object`];
  const record = value as Record<string, unknown>;
  const problems: string[] = [];
  for (const [key, kind] of Object.entries(fields)) {
    const v = record[key];
    const at = `${where}.${key}`;
    if (v === undefined || v === null) {
      if (kind !== "secret?") problems.push(`${at} is missing`);
      continue;
    }
    if (kind === "secret" || kind === "secret?") {
      if (v !== secretMarker) problems.push(`${at} is not a secret output`);
    } else if (kind === "string[]") {
      if (
        !Array.isArray(v) ||
        v.length === 0 ||
        v.some((x) => typeof x !== "string" || x === "" || /undefined|null/.test(x))
      ) {
        problems.push(`${at} should be a non-empty list of strings, found ${JSON.stringify(v)}`);
      }
    } else if (typeof v !== "string" || v === "" || /undefined|null|\[unknown\]/.test(v)) {
      problems.push(`${at} should be a plain string, found ${JSON.stringify(v)}`);
    }
  }
  for (const key of Object.keys(record))
    if (!(key in fields)) problems.push(`${where}.${key} is not in the contract`);
  return problems;
}

/**
 * What is wrong with a stack's resolved outputs (secret outputs replaced by `secretMarker`),
 * measured against the contract; empty when they conform.
 */
export function contractProblems(outputs: unknown, secretMarker: SecretMarker): string[] {
  if (outputs === null || typeof outputs !== "object") return ["outputs: expected an object"];
  const o = outputs as Record<string, unknown>;
  const problems: string[] = [];
  for (const key of ["stack", "shape"]) if (typeof o[key] !== "string") problems.push(`${key} is missing`);
  const sections: [string, Readonly<Record<string, FieldKind>>][] = [
    ["clusters", CLUSTER_FIELDS],
    ["apps", APP_FIELDS],
    ["databases", DATABASE_FIELDS],
  ];
  for (const [section, fields] of sections) {
    const entries = o[section];
    if (entries === null || typeof entries !== "object") {
      problems.push(`${section} is missing`);
      continue;
    }
    for (const [name, value] of Object.entries(entries as Record<string, unknown>)) {
      problems.push(...checkFields(`${section}.${name}`, value, fields, secretMarker));
    }
  }
  for (const key of Object.keys(o))
    if (!["stack", "shape", "clusters", "apps", "databases"].includes(key))
      problems.push(`${key} is not in the contract`);
  return problems;
}
