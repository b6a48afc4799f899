/**
 * The shared workload component: typed app specs in, engine-neutral delivery items, live
 * Secrets and database claims out (pure data; generated passwords are the only resources).
 * Each app is its own bundle in the `apps` layer, so one broken app holds no other back.
 */
import { createHash } from "node:crypto";
import * as path from "node:path";
import type { Bundle, KubeObject, LiveSecret } from "../../gitops/delivery";
import { databaseClaims, claimEnv, databaseSecretName, persistenceVolumes, persistentClaims } from "./claims";
import { renderController } from "./controllers";
import { route, services } from "./exposure";
import { exposureFor } from "./exposures";
import { meshObjects } from "./mesh";
import { networkPolicies, scrape } from "./network";
import { secretObjectName, secrets } from "./secrets";
import { DATABASE_CA_PATH, databaseCaSecretName } from "../../platform/cloudnative-pg/cluster";
import type {
  AppSpec,
  ContainerSpec,
  Controller,
  DatabaseClaim,
  WorkloadBuild,
  WorkloadContext,
} from "./types";

export * from "./types";
export { OPT_OUT_PREFIX } from "./pod";
export { databaseSecretName } from "./claims";

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * With `database.verifyCa`, every container of the app gets the database cluster's CA
 * directory at DATABASE_CA_PATH's folder: only `ca.crt` of the `<cluster>-ca` Secret (never
 * its key), mounted as a directory so a renewed CA reaches running pods.
 */
function withDatabaseCa(app: AppSpec): AppSpec {
  if (!app.database?.verifyCa) return app;
  const volume = "database-ca";
  const mountAt = path.posix.dirname(DATABASE_CA_PATH);
  const addTo = (group: Readonly<Record<string, ContainerSpec>> | undefined) =>
    group &&
    Object.fromEntries(
      Object.entries(group).map(([n, c]) => [n, { ...c, mounts: { ...c.mounts, [mountAt]: volume } }]),
    );
  const controllers = Object.fromEntries(
    Object.entries(app.controllers).map(([k, c]) => [
      k,
      {
        ...c,
        containers: addTo(c.containers)!,
        ...(c.initContainers ? { initContainers: addTo(c.initContainers) } : {}),
        ...(c.sidecars ? { sidecars: addTo(c.sidecars) } : {}),
      },
    ]),
  ) as AppSpec["controllers"];
  const persistence = {
    ...app.persistence,
    [volume]: {
      type: "secret" as const,
      secretName: databaseCaSecretName(app.database.cluster),
      items: ["ca.crt"],
      mode: 0o444,
    },
  };
  return { ...app, controllers, persistence };
}

/**
 * Resolves a `secret` reference: an own secret, `<app>/<secret>` of another app (of this
 * build or a peer in the namespace), or the database Secret.
 */
function secretResolver(app: AppSpec, all: readonly AppSpec[]): (ref: string) => string {
  return (ref) => {
    if (app.secrets?.[ref]) return secretObjectName(app.name, ref);
    // Its own or its owner's database credentials, or those of another app of the namespace
    // (a client of that app's database protocol, such as a FerretDB client logging in).
    if (app.database && ref === databaseSecretName(app.database.owner ?? app.name)) return ref;
    if (all.some((a) => a.database && ref === databaseSecretName(a.name))) return ref;
    const [owner, secret] = ref.split("/");
    if (secret !== undefined && all.find((a) => a.name === owner)?.secrets?.[secret])
      return secretObjectName(owner, secret);
    throw new Error(
      `app "${app.name}": secret "${ref}" is not one of its secrets (${Object.keys(app.secrets ?? {}).join(", ") || "none"}) nor "<app>/<secret>" of another app`,
    );
  };
}

/** Refuses a shared database whose owner is not an app of the namespace claiming its own. */
function checkDatabaseOwner(app: AppSpec, apps: readonly AppSpec[]): void {
  const owner = app.database?.owner;
  if (owner === undefined) return;
  const claimant = apps.find((a) => a.name === owner);
  if (!claimant?.database || claimant.database.owner !== undefined)
    throw new Error(
      `app "${app.name}" database.owner: "${owner}" is not an app of this namespace that claims its own database`,
    );
  if (claimant.database.cluster !== app.database?.cluster)
    throw new Error(
      `app "${app.name}" database.cluster: "${app.database?.cluster}" differs from its owner's ("${claimant.database.cluster}")`,
    );
}

/** The app's own ConfigMaps, how a reference resolves to them, and the checksum its pods carry. */
interface AppConfig {
  readonly objects: KubeObject[];
  readonly configMapName: (ref: string) => string;
  readonly podAnnotations: Record<string, string>;
}

function appConfig(app: AppSpec): AppConfig {
  const objects = Object.entries(app.configMaps ?? {}).map(([name, data]): KubeObject => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: `${app.name}-${name}`, labels: { "app.kubernetes.io/part-of": app.name } },
    data: { ...data },
  }));
  const configMapName = (ref: string): string => (app.configMaps?.[ref] ? `${app.name}-${ref}` : ref);
  // A change of the app's config rolls its pods (the template changes with the checksum).
  const podAnnotations: Record<string, string> = objects.length
    ? {
        "checksum/config": createHash("sha256")
          .update(JSON.stringify(app.configMaps))
          .digest("hex")
          .slice(0, 16),
      }
    : {};
  return { objects, configMapName, podAnnotations };
}

/** The volumes one controller's containers mount; each must be a persistence entry or claim template. */
function mountedVolumes(app: AppSpec, key: string, controller: Controller): Set<string> {
  if (!DNS_LABEL.test(key)) throw new Error(`app "${app.name}" controllers.${key}: name must be a DNS label`);
  const mounted = new Set<string>();
  for (const group of [controller.containers, controller.initContainers ?? {}, controller.sidecars ?? {}]) {
    for (const c of Object.values(group)) for (const m of Object.values(c.mounts ?? {})) mounted.add(m);
  }
  const templates = controller.type === "statefulset" ? Object.keys(controller.volumeClaimTemplates) : [];
  for (const m of mounted) {
    if (!app.persistence?.[m] && !templates.includes(m))
      throw new Error(
        `app "${app.name}" controllers.${key}: mount "${m}" is neither a persistence entry nor a volume claim template`,
      );
  }
  return mounted;
}

/** Builds every app of one namespace on one cluster. */
export function buildWorkloads(apps: readonly AppSpec[], ctx: WorkloadContext): WorkloadBuild {
  const items: Bundle[] = [];
  const liveSecrets: LiveSecret[] = [];
  const claims: DatabaseClaim[] = [];
  // The cluster's ingress kind is chosen once; routes and network policies ask it.
  const exposure = exposureFor(ctx.exposure);
  for (const spec of apps) {
    const app = withDatabaseCa(spec);
    if (!DNS_LABEL.test(app.name)) throw new Error(`app "${app.name}": name must be a DNS label`);
    checkDatabaseOwner(app, apps);
    const secretName = secretResolver(app, [...apps, ...(ctx.peers ?? [])]);
    const built = secrets(app, ctx);
    liveSecrets.push(...built.liveSecrets);
    const env = claimEnv(app, ctx.namespace);
    const config = appConfig(app);
    const objects: KubeObject[] = [...config.objects, ...built.objects, ...persistentClaims(app, ctx)];
    for (const [key, controller] of Object.entries(app.controllers)) {
      const mounted = mountedVolumes(app, key, controller);
      objects.push(
        ...renderController(app, key, controller, {
          env,
          secretName,
          configMapName: config.configMapName,
          podAnnotations: config.podAnnotations,
          podVolumes: persistenceVolumes(app, mounted),
          readWriteOnceMounts: [...mounted].filter((m) => {
            const p = app.persistence?.[m];
            return p?.type === "pvc" && (p.accessMode ?? "ReadWriteOnce") === "ReadWriteOnce";
          }),
          defaultStorageClass: ctx.defaultStorageClass,
          storageClasses: ctx.storageClasses,
        }),
      );
    }
    objects.push(
      ...services(app),
      ...route(app, exposure, ctx.domain, ctx.namespace),
      ...networkPolicies(app, exposure, ctx.monitoring, ctx.meshTracing),
      ...scrape(app, ctx.monitoring),
      ...meshObjects(app, ctx.namespace),
    );
    claims.push(...databaseClaims(app, ctx.namespace));
    items.push({
      kind: "bundle",
      name: app.name,
      layer: "apps",
      namespace: ctx.namespace,
      ...(app.dependsOn?.length ? { dependsOn: [...app.dependsOn] } : {}),
      objects,
    });
  }
  return { items, liveSecrets, databaseClaims: claims };
}
