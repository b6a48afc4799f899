/**
 * Immich (004) on the shipped homelab stack: server and machine learning, Valkey, its own
 * CloudNativePG cluster on the VectorChord image, the upload volume and the external NFS
 * library, a Traefik route with cert-manager TLS, arm64 images.
 */
import { IMMICH_EXTENSIONS, IMMICH_POSTGRES_IMAGE, immichSpecs } from "../../components/apps/immich";
import { parseImmichSettings } from "../../components/apps/immich/settings";
import { APP_IMAGES } from "./images";
import { Reader } from "../../config/reader";
import { operandOf } from "../../stacks/apps";
import type { SynthResult } from "../../tools/synth";
import { envOf, named, objectsIn, synthHomelab } from "./homelab-synth";

const KEY = "platform:clusters.production.appSettings.immich";
const LIBRARY = { server: "nas.example.org", path: "/volume1/photos" };
const settings = (raw: Record<string, unknown>, architecture: "amd64" | "arm64" = "arm64") =>
  parseImmichSettings(Reader.object(KEY, raw), { name: "production", architecture });

let result: SynthResult;
beforeAll(async () => {
  result = await synthHomelab();
}, 120_000);

describe("immich settings", () => {
  it("defaults everything but the library, and pins multi-arch images", () => {
    const s = settings({ library: LIBRARY });
    expect(s).toMatchObject({
      namespace: "immich",
      host: "immich",
      postgresCluster: "immich-db",
      upload: { size: "100Gi", storageClass: "synology-nfs" },
      library: LIBRARY,
      onboarded: false,
    });
    expect(s.images.server).toEqual({ repository: "ghcr.io/immich-app/immich-server", tag: "v2.2.2" });
    expect(s.images["machine-learning"]).toEqual({
      repository: "ghcr.io/immich-app/immich-machine-learning",
      tag: "v2.2.2",
    });
    for (const image of Object.values(APP_IMAGES.immich)) expect(image.platforms).toContain("arm64");
  });

  it("requires the library share and names a bad path", () => {
    expect(() => settings({})).toThrow(`${KEY}.library`);
    expect(() => settings({ library: { server: "nas", path: "photos" } })).toThrow(`${KEY}.library.path`);
  });

  it("refuses an image that does not publish the cluster's architecture (the Raspberry Pi cluster is arm64)", () => {
    const replaced = jest.replaceProperty(APP_IMAGES.immich, "server", {
      ...APP_IMAGES.immich.server,
      platforms: ["amd64"],
    });
    try {
      expect(() => settings({ library: LIBRARY }, "arm64")).toThrow(
        "publishes amd64 only, not arm64; run immich on an amd64 cluster, or set an image built for arm64",
      );
      expect(settings({ library: LIBRARY }, "amd64").images.server?.tag).toBe("v2.2.2");
    } finally {
      replaced.restore();
    }
  });
});

describe("immich specs", () => {
  it("asks for its own database cluster with VectorChord preloaded and Immich's extensions", () => {
    const server = immichSpecs(settings({ library: LIBRARY })).find((a) => a.name === "immich-server")!;
    expect(server.database).toEqual({
      cluster: "immich-db",
      name: "immich",
      env: "DB_URL",
      imageName: IMMICH_POSTGRES_IMAGE,
      sharedPreloadLibraries: ["vchord.so"],
      extensions: [...IMMICH_EXTENSIONS],
    });
  });

  it("keeps claims that disagree on the operand image apart", () => {
    const claim = (app: string, imageName?: string) => ({
      app,
      database: app,
      cluster: "db",
      namespace: "ns",
      ...(imageName ? { imageName } : {}),
    });
    expect(operandOf("production", "db", [claim("a")], "default:17")).toEqual({
      imageName: "default:17",
      sharedPreloadLibraries: [],
    });
    expect(() => operandOf("production", "db", [claim("a", "x:1"), claim("b", "y:1")], "default:17")).toThrow(
      "cluster production: the claims on database cluster db ask for different images (x:1, y:1); give them separate database clusters",
    );
  });
});

describe("immich on homelab production", () => {
  const im = (kind: string) => objectsIn(result, "production", "immich", kind);

  it("passes the schemas and the policy pack", () => {
    expect(result.schema.filter((s) => s.status === "invalid")).toEqual([]);
    expect(result.policy).toEqual([]);
  });

  it("runs the server, machine learning and Valkey on their ports", () => {
    expect(
      im("Deployment")
        .map((d) => d.metadata.name)
        .sort(),
    ).toEqual(["immich-machine-learning", "immich-server"]);
    expect(im("StatefulSet").map((d) => d.metadata.name)).toEqual(["valkey"]);
    const server = named(im("Deployment"), "immich-server");
    expect(server.spec.template.spec.containers[0].ports).toEqual([
      { name: "http", containerPort: 2283, protocol: "TCP" },
    ]);
    expect(envOf(server)).toMatchObject({
      DB_URL: { secretKeyRef: { name: "postgres-immich-server-user", key: "uri" } },
      REDIS_HOSTNAME: "valkey",
      REDIS_PORT: "6379",
      IMMICH_MACHINE_LEARNING_URL: "http://immich-machine-learning:3003",
    });
    const ml = named(im("Deployment"), "immich-machine-learning");
    expect(ml.spec.template.spec.containers[0].ports).toEqual([
      { name: "http", containerPort: 3003, protocol: "TCP" },
    ]);
  });

  it("gives Immich its own VectorChord cluster with the extensions created in its database", () => {
    const cluster = named(im("Cluster"), "immich-db");
    expect(cluster.spec.imageName).toBe("ghcr.io/tensorchord/cloudnative-vectorchord:17-0.4.3");
    expect(cluster.spec.postgresql.shared_preload_libraries).toEqual(["vchord.so"]);
    const database = named(im("Database"), "immich-db-immich-server");
    expect(database.spec).toMatchObject({ name: "immich", owner: "immich-server" });
    expect(database.spec.extensions.map((e: { name: string }) => e.name)).toEqual([
      "vector",
      "vchord",
      "cube",
      "earthdistance",
    ]);
  });

  it("mounts the uploads on synology-nfs and the external library read-only from the NAS", () => {
    const pod = named(im("Deployment"), "immich-server").spec.template.spec;
    expect(pod.containers[0].volumeMounts).toEqual(
      expect.arrayContaining([
        { name: "upload", mountPath: "/data" },
        { name: "library", mountPath: "/mnt/library" },
      ]),
    );
    expect(pod.volumes).toEqual(
      expect.arrayContaining([
        { name: "upload", persistentVolumeClaim: { claimName: "immich-server-upload" } },
        { name: "library", persistentVolumeClaim: { claimName: "immich-server-library", readOnly: true } },
      ]),
    );
    expect(named(im("PersistentVolumeClaim"), "immich-server-upload").spec.storageClassName).toBe(
      "synology-nfs",
    );
    const pv = result.objects
      .map((o) => o.object as Record<string, any>) // eslint-disable-line @typescript-eslint/no-explicit-any
      .find((o) => o.kind === "PersistentVolume" && o.metadata.name === "immich-immich-server-library")!;
    expect(pv.spec.nfs).toEqual({ server: "nas.home.arpa", path: "/volume1/photos", readOnly: true });
    expect(pv.spec.accessModes).toEqual(["ReadOnlyMany"]);
  });

  it("publishes no route until its admin exists (anyone reaching it could claim admin)", () => {
    // The shipped stack leaves appSettings.immich.onboarded unset.
    expect(im("Ingress")).toEqual([]);
  });

  it("routes immich.<domain> through Traefik with a cert-manager certificate once onboarded", () => {
    const server = (raw: Record<string, unknown>) =>
      immichSpecs(settings({ library: LIBRARY, ...raw })).find((x) => x.name === "immich-server");
    expect(server({ onboarded: true })?.route).toEqual({ host: "immich", port: "http" });
    expect(server({})?.route).toBeUndefined();
  });
});
