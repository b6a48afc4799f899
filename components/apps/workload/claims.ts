/**
 * Claims that wire an app to what it needs, without building what platform services own:
 * - database: `DATABASE_URL` from `postgres-<app>-user` key `uri` (source document 000,
 *   "When adding a new service requiring Postgres"), optionally host, port, name, user and
 *   password under names the app chooses, and a {@link DatabaseClaim} the
 *   composition hands to the CloudNativePG builder (role, Database, that Secret);
 * - cache: `REDIS_HOST`/`REDIS_PORT` pointing at the cache app's Service (000,
 *   "Environment Variables Pattern");
 * - persistence: a PVC on a named or the default StorageClass, an NFS share as a static
 *   PersistentVolume bound to its own PVC (the restricted Pod Security profile admits only
 *   PVC-backed, not inline `nfs`, volumes: kubernetes.io/docs/concepts/security/pod-security-standards,
 *   "Volume Types"), or an emptyDir the pod's containers share.
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
    // An image that takes the parts (connectionEnv) gets no URL unless `env` names one: an
    // unread DATABASE_URL is noise at best, and some frameworks prefer it over the parts.
    if (db.env !== undefined || db.connectionEnv === undefined)
      env[db.env ?? "DATABASE_URL"] = { secret, key: "uri" };
    const parts = db.connectionEnv ?? {};
    if (parts.host) env[parts.host] = databaseHost(db.cluster, db.namespace ?? namespace);
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
  const d = app.database;
  // A shared database is claimed once, by its owner.
  if (!d || d.owner !== undefined) return [];
  return [
    {
      app: app.name,
      database: d.name ?? app.name,
      cluster: d.cluster,
      namespace,
      ...(d.namespace && d.namespace !== namespace ? { clusterNamespace: d.namespace } : {}),
      ...(d.verifyCa ? { verifyCa: true } : {}),
      ...(d.extensions?.length ? { extensions: d.extensions } : {}),
      ...(d.imageName ? { imageName: d.imageName } : {}),
      ...(d.priorityClassName ? { priorityClassName: d.priorityClassName } : {}),
      ...(d.sharedPreloadLibraries?.length ? { sharedPreloadLibraries: d.sharedPreloadLibraries } : {}),
    },
  ];
}

/** The static PersistentVolume of an NFS share: cluster-scoped, so the namespace is in the name. */
export function nfsVolumeName(namespace: string, app: string, persistence: string): string {
  return `${namespace}-${app}-${persistence}`;
}

export function persistentClaims(
  app: AppSpec,
  ctx: Pick<WorkloadContext, "defaultStorageClass" | "storageClasses" | "namespace">,
): KubeObject[] {
  const objects: KubeObject[] = [];
  for (const [name, p] of Object.entries(app.persistence ?? {})) {
    if (p.type === "emptyDir" || p.type === "secret") continue;
    if (p.type === "nfs") {
      const pv = nfsVolumeName(ctx.namespace, app.name, name);
      const accessModes = [p.readOnly ? "ReadOnlyMany" : "ReadWriteMany"];
      // The size is nominal: NFS does not enforce it; both sides must name the same.
      const storage = "1Gi";
      objects.push(
        {
          apiVersion: "v1",
          kind: "PersistentVolume",
          metadata: { name: pv, annotations: KEEP_ON_PRUNE },
          spec: {
            capacity: { storage },
            accessModes,
            // Deleting the claim leaves the share's data alone.
            persistentVolumeReclaimPolicy: "Retain",
            // Empty class: binds only to the claim that names it, never to a provisioner.
            storageClassName: "",
            claimRef: { namespace: ctx.namespace, name: `${app.name}-${name}` },
            nfs: { server: p.server, path: p.path, readOnly: p.readOnly ?? false },
          },
        },
        {
          apiVersion: "v1",
          kind: "PersistentVolumeClaim",
          metadata: { name: `${app.name}-${name}`, annotations: KEEP_ON_PRUNE },
          spec: { accessModes, storageClassName: "", volumeName: pv, resources: { requests: { storage } } },
        },
      );
      continue;
    }
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
    if (p.type === "secret")
      volumes.push({
        name,
        secret: {
          secretName: p.secretName,
          ...(p.items ? { items: p.items.map((key) => ({ key, path: key })) } : {}),
          ...(p.mode !== undefined ? { defaultMode: p.mode } : {}),
        },
      });
    else if (p.type === "emptyDir")
      volumes.push({
        name,
        emptyDir: {
          ...(p.medium ? { medium: p.medium } : {}),
          ...(p.sizeLimit ? { sizeLimit: p.sizeLimit } : {}),
        },
      });
    else
      volumes.push({
        name,
        persistentVolumeClaim: {
          claimName: `${app.name}-${name}`,
          ...(p.type === "nfs" && p.readOnly ? { readOnly: true } : {}),
        },
      });
  }
  return volumes;
}
