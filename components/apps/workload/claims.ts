/**
 * Claims that wire an app to what it needs, without building what platform services own:
 * - database: `DATABASE_URL` from `postgres-<app>-user` key `uri` (source document 000,
 *   "When adding a new service requiring Postgres"), optionally host, port, name, user and
 *   password under names the app chooses, and a {@link DatabaseClaim} the
 *   composition hands to the CloudNativePG builder (role, Database, that Secret);
 * - cache: `REDIS_HOST`/`REDIS_PORT` pointing at the cache app's Service (000,
 *   "Environment Variables Pattern");
 * - persistence: a PVC on a named or the default StorageClass, an NFS share, or an emptyDir
 *   the pod's containers share.
 */
import { KEEP_ON_PRUNE, type JsonValue, type KubeObject } from "../../gitops/delivery";
import type { AppSpec, DatabaseClaim, EnvValue, WorkloadContext } from "./types";

type Json = { [key: string]: JsonValue };

/** The Secret the PostgresCluster builder writes for an app (naming of document 000). */
export function databaseSecretName(app: string): string {
  return `postgres-${app}-user`;
}

/** The read-write Service of a CloudNativePG cluster (docs "Service management": `<cluster>-rw`). */
export function databaseHost(cluster: string, namespace: string): string {
  return `${cluster}-rw.${namespace}.svc`;
}

/** The env a claim wires, before the container's own (so its values may use `$(VAR)`). */
export function claimEnv(app: AppSpec, namespace: string): Record<string, EnvValue> {
  const env: Record<string, EnvValue> = {};
  const db = app.database;
  if (db) {
    const secret = databaseSecretName(db.owner ?? app.name);
    env[db.env ?? "DATABASE_URL"] = { secret, key: "uri" };
    const parts = db.connectionEnv ?? {};
    if (parts.host) env[parts.host] = databaseHost(db.cluster, namespace);
    if (parts.port) env[parts.port] = "5432";
    if (parts.name) env[parts.name] = db.name ?? app.name;
    if (parts.user) env[parts.user] = { secret, key: "username" };
    if (parts.password) env[parts.password] = { secret, key: "password" };
  }
  if (app.cache) {
    env.REDIS_HOST = app.cache.app;
    env.REDIS_PORT = String(app.cache.port);
  }
  return env;
}

export function databaseClaims(app: AppSpec, namespace: string): DatabaseClaim[] {
  // A shared database is claimed once, by its owner.
  return app.database && app.database.owner === undefined
    ? [{ app: app.name, database: app.database.name ?? app.name, cluster: app.database.cluster, namespace }]
    : [];
}

export function persistentClaims(
  app: AppSpec,
  ctx: Pick<WorkloadContext, "defaultStorageClass" | "storageClasses">,
): KubeObject[] {
  const objects: KubeObject[] = [];
  for (const [name, p] of Object.entries(app.persistence ?? {})) {
    if (p.type !== "pvc") continue;
    const storageClassName = p.storageClass ?? ctx.defaultStorageClass;
    if (!ctx.storageClasses.includes(storageClassName)) {
      throw new Error(
        `app "${app.name}" persistence.${name}.storageClass: "${storageClassName}" is not on this cluster (available: ${ctx.storageClasses.join(", ")})`,
      );
    }
    objects.push({
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: { name: `${app.name}-${name}`, annotations: KEEP_ON_PRUNE },
      spec: {
        accessModes: [p.accessMode ?? "ReadWriteOnce"],
        storageClassName,
        resources: { requests: { storage: p.size } },
      },
    });
  }
  return objects;
}

/** The pod volumes for the persistence entries the given mount names use. */
export function persistenceVolumes(app: AppSpec, mounted: ReadonlySet<string>): Json[] {
  const volumes: Json[] = [];
  for (const [name, p] of Object.entries(app.persistence ?? {})) {
    if (!mounted.has(name)) continue;
    if (p.type === "pvc") volumes.push({ name, persistentVolumeClaim: { claimName: `${app.name}-${name}` } });
    else if (p.type === "nfs")
      volumes.push({ name, nfs: { server: p.server, path: p.path, readOnly: p.readOnly ?? false } });
    else
      volumes.push({
        name,
        emptyDir: {
          ...(p.medium ? { medium: p.medium } : {}),
          ...(p.sizeLimit ? { sizeLimit: p.sizeLimit } : {}),
        },
      });
  }
  return volumes;
}
