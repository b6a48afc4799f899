/** The shared workload component (components/apps/workload): database, cache and persistence claims. */
import type { AppSpec } from "../../components/apps/workload";
import type { Bundle, KubeObject } from "../../components/gitops";
import { container, pureContext, webApp } from "./fixtures";
import { build, objectsOf, find, podOf, type Any } from "./workload-helpers";

describe("claims", () => {
  it("wires a database claim: DATABASE_URL, egress to the CNPG pods and a returned claim", () => {
    const app = webApp({ database: { cluster: "postgres" } });
    const result = build([app]);
    const objects = (result.items[0] as Bundle).objects as KubeObject[];
    expect(podOf(find(objects, "Deployment", "web")).containers[0].env).toContainEqual({
      name: "DATABASE_URL",
      valueFrom: { secretKeyRef: { name: "postgres-web-user", key: "uri" } },
    });
    expect(find(objects, "NetworkPolicy", "web").spec.egress).toContainEqual({
      to: [{ podSelector: { matchLabels: { "cnpg.io/cluster": "postgres" } } }],
      ports: [{ protocol: "TCP", port: 5432 }],
    });
    expect(result.databaseClaims).toEqual([
      { app: "web", database: "web", cluster: "postgres", namespace: "demo" },
    ]);
    expect(objects.some((o) => o.apiVersion.startsWith("postgresql.cnpg.io"))).toBe(false);
  });

  it("shares a database claimed by another app: its Secret and egress, one claim only", () => {
    const owner = webApp({ database: { cluster: "postgres", name: "shop" } });
    const worker = webApp({
      name: "worker",
      controllers: { worker: { type: "deployment", containers: { worker: container() } } },
      service: { ports: { http: 8080 } },
      database: { cluster: "postgres", owner: "web" },
    });
    const result = build([owner, worker]);
    const objects = (result.items[1] as Bundle).objects as KubeObject[];
    expect(podOf(find(objects, "Deployment", "worker")).containers[0].env).toContainEqual({
      name: "DATABASE_URL",
      valueFrom: { secretKeyRef: { name: "postgres-web-user", key: "uri" } },
    });
    expect(find(objects, "NetworkPolicy", "worker").spec.egress).toContainEqual({
      to: [{ podSelector: { matchLabels: { "cnpg.io/cluster": "postgres" } } }],
      ports: [{ protocol: "TCP", port: 5432 }],
    });
    expect(result.databaseClaims).toEqual([
      { app: "web", database: "shop", cluster: "postgres", namespace: "demo" },
    ]);
    expect(() => build([worker])).toThrow(
      'app "worker" database.owner: "web" is not an app of this namespace that claims its own database',
    );
    expect(() => build([owner, { ...worker, database: { cluster: "other", owner: "web" } }])).toThrow(
      'app "worker" database.cluster: "other" differs from its owner\'s ("postgres")',
    );
  });
  it("wires the connection's parts under the names an app asks for, before its own env", () => {
    const app = webApp({
      database: {
        cluster: "db",
        name: "bookmarks",
        connectionEnv: {
          host: "DB_HOST",
          port: "DB_PORT",
          name: "DB_NAME",
          user: "DB_USER",
          password: "DB_PASS",
        },
      },
      controllers: {
        web: {
          type: "deployment",
          containers: {
            web: container({ env: { JDBC: "jdbc:postgresql://$(DB_HOST):$(DB_PORT)/$(DB_NAME)" } }),
          },
        },
      },
    });
    const env = podOf(find(objectsOf([app]), "Deployment", "web")).containers[0].env as Any[];
    const secret = (key: string) => ({ valueFrom: { secretKeyRef: { name: "postgres-web-user", key } } });
    // Kubernetes expands $(VAR) only from variables defined earlier in the list.
    // No DATABASE_URL: the image takes the parts.
    expect(env).toEqual([
      { name: "DB_HOST", value: "db-rw.demo.svc" },
      { name: "DB_PORT", value: "5432" },
      { name: "DB_NAME", value: "bookmarks" },
      { name: "DB_USER", ...secret("username") },
      { name: "DB_PASS", ...secret("password") },
      { name: "JDBC", value: "jdbc:postgresql://$(DB_HOST):$(DB_PORT)/$(DB_NAME)" },
    ]);
    // Only the names given are wired, and a URL only when `env` names its variable.
    const some = webApp({
      database: { cluster: "db", env: "DB_URL", connectionEnv: { password: "PGPASSWORD" } },
    });
    const names = (podOf(find(objectsOf([some]), "Deployment", "web")).containers[0].env as Any[]).map(
      (e) => e.name,
    );
    expect(names).toEqual(["DB_URL", "PGPASSWORD"]);
  });

  it("passes extensions, an operand image and preloads through the claim; reads a peer's database Secret", () => {
    const ferret = webApp({
      name: "ferret",
      controllers: { ferret: { type: "deployment", containers: { web: container() } } },
      database: { cluster: "docdb", env: "FERRETDB_POSTGRESQL_URL" },
    });
    const client = webApp({
      name: "client",
      service: undefined,
      controllers: {
        client: {
          type: "deployment",
          containers: {
            web: container({ env: { USER: { secret: "postgres-ferret-user", key: "username" } } }),
          },
        },
      },
    });
    const vector = webApp({
      name: "vec",
      service: undefined,
      database: {
        cluster: "vecdb",
        name: "vectors",
        imageName: "example.org/pg-vector:17",
        sharedPreloadLibraries: ["vchord.so"],
        extensions: ["vector", "vchord"],
      },
    });
    const result = build([ferret, client, vector]);
    expect(result.databaseClaims).toEqual([
      { app: "ferret", database: "ferret", cluster: "docdb", namespace: "demo" },
      {
        app: "vec",
        database: "vectors",
        cluster: "vecdb",
        namespace: "demo",
        extensions: ["vector", "vchord"],
        imageName: "example.org/pg-vector:17",
        sharedPreloadLibraries: ["vchord.so"],
      },
    ]);
    const objects = (result.items as Bundle[]).flatMap((b) => [...b.objects]);
    expect(podOf(find(objects, "Deployment", "ferret")).containers[0].env).toContainEqual({
      name: "FERRETDB_POSTGRESQL_URL",
      valueFrom: { secretKeyRef: { name: "postgres-ferret-user", key: "uri" } },
    });
    expect(podOf(find(objects, "Deployment", "client")).containers[0].env).toContainEqual({
      name: "USER",
      valueFrom: { secretKeyRef: { name: "postgres-ferret-user", key: "username" } },
    });
  });

  it("appends extraEgress rules as written after the derived ones, and nothing without them", () => {
    const egressOf = (app: AppSpec) => find(objectsOf([app]), "NetworkPolicy", "web").spec.egress as Any[];
    const rule = {
      to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "other" } } }],
      ports: [{ protocol: "TCP", port: 5432 }],
    };
    const plain = egressOf(webApp({ internetEgress: [443] }));
    expect(egressOf(webApp({ internetEgress: [443], extraEgress: [rule] }))).toEqual([...plain, rule]);
    expect(egressOf(webApp({ internetEgress: [443], extraEgress: [] }))).toEqual(plain);
    expect(JSON.stringify(plain)).not.toContain('"other"');
  });

  it("wires a cache claim and persistence (default class, named class, NFS)", () => {
    const ctx = pureContext({ storageClasses: ["hcloud-volumes-encrypted", "longhorn"] });
    const app = webApp({
      cache: { app: "valkey", port: 6379 },
      persistence: {
        data: { type: "pvc", size: "2Gi" },
        fast: { type: "pvc", size: "1Gi", storageClass: "longhorn" },
        media: { type: "nfs", server: "10.0.0.5", path: "/export/media" },
      },
      controllers: {
        web: {
          type: "deployment",
          containers: { web: container({ mounts: { "/data": "data", "/fast": "fast", "/media": "media" } }) },
        },
      },
    });
    const objects = objectsOf([app], ctx);
    const pod = podOf(find(objects, "Deployment", "web"));
    expect(pod.containers[0].env).toEqual(
      expect.arrayContaining([
        { name: "REDIS_HOST", value: "valkey" },
        { name: "REDIS_PORT", value: "6379" },
      ]),
    );
    expect(find(objects, "PersistentVolumeClaim", "web-data").spec.storageClassName).toBe(
      "hcloud-volumes-encrypted",
    );
    expect(find(objects, "PersistentVolumeClaim", "web-fast").spec.storageClassName).toBe("longhorn");
    expect(find(objects, "PersistentVolumeClaim", "web-data").metadata.annotations).toEqual({
      "argocd.argoproj.io/sync-options": "Prune=false,Delete=false",
      "kustomize.toolkit.fluxcd.io/prune": "disabled",
    });
    expect(pod.volumes).toEqual([
      { name: "data", persistentVolumeClaim: { claimName: "web-data" } },
      { name: "fast", persistentVolumeClaim: { claimName: "web-fast" } },
      { name: "media", persistentVolumeClaim: { claimName: "web-media" } },
    ]);
    // The restricted profile admits no inline nfs volume: a static PV bound to the app's PVC.
    expect(find(objects, "PersistentVolume", "demo-web-media").spec).toEqual({
      capacity: { storage: "1Gi" },
      accessModes: ["ReadWriteMany"],
      persistentVolumeReclaimPolicy: "Retain",
      storageClassName: "",
      claimRef: { namespace: "demo", name: "web-media" },
      nfs: { server: "10.0.0.5", path: "/export/media", readOnly: false },
    });
    expect(find(objects, "PersistentVolumeClaim", "web-media").spec).toEqual({
      accessModes: ["ReadWriteMany"],
      storageClassName: "",
      volumeName: "demo-web-media",
      resources: { requests: { storage: "1Gi" } },
    });
    const readOnly = webApp({
      persistence: { media: { type: "nfs", server: "10.0.0.5", path: "/export/media", readOnly: true } },
      controllers: {
        web: { type: "deployment", containers: { web: container({ mounts: { "/media": "media" } }) } },
      },
    });
    const roObjects = objectsOf([readOnly], ctx);
    expect(podOf(find(roObjects, "Deployment", "web")).volumes).toEqual([
      { name: "media", persistentVolumeClaim: { claimName: "web-media", readOnly: true } },
    ]);
    expect(find(roObjects, "PersistentVolume", "demo-web-media").spec.accessModes).toEqual(["ReadOnlyMany"]);
    const bad = webApp({ persistence: { data: { type: "pvc", size: "1Gi", storageClass: "nope" } } });
    expect(() => build([bad])).toThrow(
      'app "web" persistence.data.storageClass: "nope" is not on this cluster (available: hcloud-volumes-encrypted)',
    );
  });
});
