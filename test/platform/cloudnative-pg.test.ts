/* eslint-disable @typescript-eslint/no-explicit-any -- the tests walk plain manifest trees */
import { postgresNetworkPolicies } from "../../components/platform/postgres-network";
import * as pulumi from "@pulumi/pulumi";
import { validateItems, type Addon, type KubeObject } from "../../components/gitops/delivery";
import { cloudnativePgService } from "../../components/platform/cloudnative-pg";
import { postgresCluster, type PostgresClusterArgs } from "../../components/platform/cloudnative-pg/cluster";
import { parseCloudnativePgSettings } from "../../components/platform/cloudnative-pg/settings";
import { runProgram, valueOf } from "../../lib/mock-runtime";
import {
  FAKE_KEY_ID,
  FAKE_SECRET_KEY,
  clusterOf,
  contextOf,
  itemsText,
  parse,
} from "./networking-data-fixtures";

class Parent extends pulumi.ComponentResource {
  constructor(name: string) {
    super("platform:test:Parent", name, {}, {});
  }
}

const home = clusterOf("k3s", ["cert-manager", "cloudnative-pg", "longhorn"]);
const key = "platform:clusters.home.serviceSettings.cloudnative-pg";
const backupBlock = {
  destinationPath: "s3://homelab-backups/cnpg",
  endpointURL: "https://s3.eu-central-003.backblazeb2.com",
};

function find(objects: readonly KubeObject[], kind: string, name: string): any {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`no ${kind}/${name}`);
  return o;
}

describe("cloudnative-pg settings", () => {
  it("defaults: 3 instances on the homelab K3s, 1 on Talos (Steady prod), 30d and 03:00 daily backups", () => {
    expect(parse(parseCloudnativePgSettings, home).instances).toBe(3);
    expect(parse(parseCloudnativePgSettings, clusterOf("talos-hcloud", [])).instances).toBe(1);
    const s = parse(parseCloudnativePgSettings, home, { backup: backupBlock });
    expect(s.backup).toEqual({
      ...backupBlock,
      retention: "30d",
      schedule: "0 0 3 * * *",
      archiveSuffix: "",
    });
    expect(s.recovery).toBeUndefined();
  });

  it("rejects a five-field cron, which CNPG would read with seconds first", () => {
    expect(() =>
      parse(
        parseCloudnativePgSettings,
        home,
        { backup: { ...backupBlock, schedule: "0 3 * * *" } },
        "cloudnative-pg",
      ),
    ).toThrow(
      `Invalid config ${key}.backup.schedule = "0 3 * * *": expected a six-field cron expression with seconds first, e.g. "0 0 3 * * *"`,
    );
  });

  it("refuses a recovery that would archive into the archive it restores from", () => {
    expect(() =>
      parse(
        parseCloudnativePgSettings,
        home,
        { backup: backupBlock, recovery: { enabled: true } },
        "cloudnative-pg",
      ),
    ).toThrow(
      `Invalid config ${key}.backup.archiveSuffix = "": a restored cluster must archive into a new folder; set backup.archiveSuffix (e.g. "-r1") different from recovery.fromArchiveSuffix ("")`,
    );
    expect(() => parse(parseCloudnativePgSettings, home, { recovery: {} }, "cloudnative-pg")).toThrow(
      `Invalid config ${key}.recovery = {}: recovery restores from the backup object store; set backup (destinationPath, endpointURL) too`,
    );
    const s = parse(parseCloudnativePgSettings, home, {
      backup: { ...backupBlock, archiveSuffix: "-r1" },
      recovery: { targetTime: "2025-10-01T03:00:00Z" },
    });
    expect(s.recovery).toEqual({ fromArchiveSuffix: "", targetTime: "2025-10-01T03:00:00Z" });
  });
});

describe("cloudnative-pg service", () => {
  const settings = parse(parseCloudnativePgSettings, home);
  const build = cloudnativePgService.spec.build(contextOf(home, settings));
  const [operator, plugin] = build.items as [Addon, Addon];

  it("installs the pinned operator and the Barman Cloud plugin, the plugin after cert-manager", () => {
    expect(build.items.map((i) => i.name)).toEqual(["cloudnative-pg", "plugin-barman-cloud"]);
    expect(operator).toMatchObject({
      chart: "cloudnative-pg",
      version: "0.26.1",
      namespace: "cnpg-system",
      includeCrds: true,
    });
    expect(plugin).toMatchObject({
      chart: "plugin-barman-cloud",
      version: "0.2.0",
      namespace: "cnpg-system",
    });
    expect(plugin.dependsOn).toEqual(["cloudnative-pg", "cert-manager"]);
    expect(operator.ignoreDifferences?.map((d) => d.jsonPointers.length)).toEqual([4, 5]);
  });

  it("needs both backup keys once backups are configured", () => {
    const withBackup = parse(parseCloudnativePgSettings, home, { backup: backupBlock });
    expect(() =>
      cloudnativePgService.spec.build(contextOf(home, withBackup, { cnpgBackupS3AccessKeyId: FAKE_KEY_ID })),
    ).toThrow(
      'cloudnative-pg on cluster "home": serviceSettings.cloudnative-pg.backup is set, so secret config platform:cnpgBackupS3AccessKeyId and platform:cnpgBackupS3SecretAccessKey are required; set them with pulumi config set --secret',
    );
  });
});

describe("PostgresCluster", () => {
  const base = (parent: pulumi.Resource): PostgresClusterArgs => ({
    clusterName: "home",
    name: "postgres",
    namespace: "database",
    instances: 3,
    storageClass: "longhorn",
    size: "10Gi",
    imageName: "ghcr.io/cloudnative-pg/postgresql:17.6-standard-trixie",
    consumers: [{ app: "linkding" }, { app: "commafeed", database: "feeds" }],
    network: { clients: ["linkding", "commafeed"], cni: "other", operatorNamespace: "cnpg-system" },
    parent,
  });

  it("gives a verifying consumer a verify-ca URI with the CA path its workload mounts", async () => {
    const { outputs } = await runProgram(async () => {
      const b = postgresCluster({
        ...base(new Parent("p")),
        consumers: [{ app: "mastodon", verifyCa: true }],
      });
      return { uri: await valueOf(pulumi.output(b.liveSecrets[0].stringData).apply((d) => d.uri)) };
    });
    expect(outputs.uri).toMatch(
      /^postgresql:\/\/mastodon:.+@postgres-rw\.database\.svc:5432\/mastodon\?sslmode=verify-ca&sslrootcert=\/etc\/postgresql-ca\/ca\.crt$/,
    );
  });

  it("builds the Cluster, one Database per consumer and generated credentials in live Secrets", async () => {
    const { resources, outputs } = await runProgram(async () => {
      const b = postgresCluster(base(new Parent("p")));
      return {
        b,
        uri: await valueOf(pulumi.output(b.liveSecrets[1].stringData).apply((d) => d.uri)),
      };
    });
    const b = outputs.b;
    expect(b.bundle.name).toBe("postgres-postgres");
    expect(b.bundle.layer).toBe("infrastructure-configs");
    expect(b.bundle.dependsOn).toEqual(["cloudnative-pg"]);
    expect(b.bundle.objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      "Cluster/postgres",
      "Database/postgres-linkding",
      "Database/postgres-commafeed",
      "NetworkPolicy/postgres-postgres",
      "NetworkPolicy/postgres-postgres-apiserver",
    ]);
    const cluster = find(b.bundle.objects, "Cluster", "postgres");
    expect(cluster.spec.instances).toBe(3);
    expect(cluster.spec.storage).toEqual({ storageClass: "longhorn", size: "10Gi" });
    expect(cluster.spec.managed.roles).toEqual([
      {
        name: "linkding",
        ensure: "present",
        login: true,
        passwordSecret: { name: "postgres-linkding-user" },
      },
      {
        name: "commafeed",
        ensure: "present",
        login: true,
        passwordSecret: { name: "postgres-commafeed-user" },
      },
    ]);
    expect(cluster.spec.plugins).toBeUndefined();
    expect(find(b.bundle.objects, "Database", "postgres-commafeed").spec).toEqual({
      name: "feeds",
      owner: "commafeed",
      cluster: { name: "postgres" },
      ensure: "present",
    });
    expect(b.liveSecrets.map((s) => `${s.namespace}/${s.name}`)).toEqual([
      "database/postgres-linkding-user",
      "database/postgres-commafeed-user",
    ]);
    expect(outputs.uri).toMatch(
      /^postgresql:\/\/commafeed:.+@postgres-rw\.database\.svc:5432\/feeds\?sslmode=require$/,
    );
    const passwords = resources
      .filter((r) => r.type === "random:index/randomPassword:RandomPassword")
      .map((r) => r.name);
    expect(passwords).toEqual(["home-postgres-postgres-linkding", "home-postgres-postgres-commafeed"]);
    expect(() => validateItems(b.items, { complete: false })).not.toThrow();
  });

  it("backs up through the plugin: ObjectStore with 30d retention and a daily 03:00 ScheduledBackup", async () => {
    const { outputs: b } = await runProgram(() =>
      postgresCluster({
        ...base(new Parent("p")),
        backup: {
          ...backupBlock,
          retention: "30d",
          schedule: "0 0 3 * * *",
          archiveSuffix: "",
          credentialsSecret: "cnpg-backup-s3",
          credentials: {
            accessKeyId: pulumi.secret(FAKE_KEY_ID),
            secretAccessKey: pulumi.secret(FAKE_SECRET_KEY),
          },
        },
      }),
    );
    expect(b.bundle.dependsOn).toEqual(["cloudnative-pg", "plugin-barman-cloud"]);
    const store = find(b.bundle.objects, "ObjectStore", "postgres-backup");
    expect(store.apiVersion).toBe("barmancloud.cnpg.io/v1");
    expect(store.spec.retentionPolicy).toBe("30d");
    expect(store.spec.configuration.s3Credentials.accessKeyId).toEqual({
      name: "cnpg-backup-s3",
      key: "ACCESS_KEY_ID",
    });
    const scheduled = find(b.bundle.objects, "ScheduledBackup", "postgres-daily");
    expect(scheduled.spec).toEqual({
      schedule: "0 0 3 * * *",
      backupOwnerReference: "self",
      cluster: { name: "postgres" },
      method: "plugin",
      pluginConfiguration: { name: "barman-cloud.cloudnative-pg.io" },
    });
    expect(find(b.bundle.objects, "Cluster", "postgres").spec.plugins).toEqual([
      {
        name: "barman-cloud.cloudnative-pg.io",
        isWALArchiver: true,
        parameters: { barmanObjectName: "postgres-backup", serverName: "postgres" },
      },
    ]);
    expect(b.liveSecrets.map((s) => s.name)).toContain("cnpg-backup-s3");
    const text = itemsText(b.items);
    expect(text).not.toContain(FAKE_KEY_ID);
    expect(text).not.toContain(FAKE_SECRET_KEY);
  });

  it("recovers from the archive to a point in time and archives into a new folder", async () => {
    const { outputs: b } = await runProgram(() =>
      postgresCluster({
        ...base(new Parent("p")),
        backup: {
          ...backupBlock,
          retention: "30d",
          schedule: "0 0 3 * * *",
          archiveSuffix: "-r1",
          credentialsSecret: "s3",
        },
        recovery: { fromArchiveSuffix: "", targetTime: "2025-10-01T03:00:00Z" },
      }),
    );
    const spec = find(b.bundle.objects, "Cluster", "postgres").spec;
    expect(spec.bootstrap).toEqual({
      recovery: { source: "origin", recoveryTarget: { targetTime: "2025-10-01T03:00:00Z" } },
    });
    expect(spec.externalClusters[0].plugin.parameters).toEqual({
      barmanObjectName: "postgres-backup",
      serverName: "postgres",
    });
    expect(spec.plugins[0].parameters.serverName).toBe("postgres-r1");
    expect(b.bundle.timeout).toBe("60m");
  });

  it("switches to the DocumentDB image for a FerretDB consumer", async () => {
    const { outputs: b } = await runProgram(() =>
      postgresCluster({ ...base(new Parent("p")), consumers: [{ app: "nightscout", documentdb: true }] }),
    );
    const spec = find(b.bundle.objects, "Cluster", "postgres").spec;
    expect(spec.imageName).toBe("ghcr.io/ferretdb/postgres-documentdb:17-0.107.0-ferretdb-2.7.0");
    expect(spec.postgresUID).toBe(999);
    expect(spec.postgresql.shared_preload_libraries).toEqual([
      "pg_cron",
      "pg_documentdb_core",
      "pg_documentdb",
    ]);
    // FerretDB sets two documentdb parameters on every connection, which its non-superuser
    // role may only do after this grant (FerretDB/FerretDB#4997).
    expect(spec.bootstrap.initdb.postInitSQL).toEqual([
      "CREATE EXTENSION IF NOT EXISTS documentdb CASCADE;",
      "GRANT SET ON PARAMETER documentdb.enableusercrud, documentdb.maxuserlimit TO documentdb_admin_role;",
    ]);
    expect(spec.managed.roles[0].inRoles).toEqual(["documentdb_admin_role"]);
    expect(b.bundle.objects.map((o) => o.kind)).toEqual(["Cluster", "NetworkPolicy", "NetworkPolicy"]);
  });

  it("preloads libraries and creates a consumer's extensions in its Database, in order", async () => {
    const { outputs: b } = await runProgram(() =>
      postgresCluster({
        ...base(new Parent("p")),
        imageName: "ghcr.io/tensorchord/cloudnative-vectorchord:17-0.4.3",
        sharedPreloadLibraries: ["vchord.so"],
        consumers: [{ app: "immich", database: "immich", extensions: ["vector", "vchord"] }],
      }),
    );
    const spec = find(b.bundle.objects, "Cluster", "postgres").spec;
    expect(spec.imageName).toBe("ghcr.io/tensorchord/cloudnative-vectorchord:17-0.4.3");
    expect(spec.postgresql).toEqual({ shared_preload_libraries: ["vchord.so"] });
    expect(find(b.bundle.objects, "Database", "postgres-immich").spec.extensions).toEqual([
      { name: "vector", ensure: "present" },
      { name: "vchord", ensure: "present" },
    ]);
  });

  it("rejects bad input with one clear error", () => {
    const parent = {} as pulumi.Resource;
    expect(() =>
      postgresCluster({
        ...base(parent),
        sharedPreloadLibraries: ["vchord.so"],
        consumers: [{ app: "nightscout", documentdb: true }],
      }),
    ).toThrow(
      'PostgresCluster "postgres": DocumentDB consumers run the DocumentDB image, which has none of sharedPreloadLibraries vchord.so; give them separate database clusters',
    );
    expect(() => postgresCluster({ ...base(parent), consumers: [] })).toThrow(
      'PostgresCluster "postgres": needs at least one consumer app',
    );
    expect(() => postgresCluster({ ...base(parent), consumers: [{ app: "a" }, { app: "a" }] })).toThrow(
      'PostgresCluster "postgres": consumer "a" is listed twice',
    );
    expect(() => postgresCluster({ ...base(parent), recovery: { fromArchiveSuffix: "" } })).toThrow(
      'PostgresCluster "postgres": recovery needs backup (the object store to restore from)',
    );
  });
});

describe("PostgresCluster network policies (pods the operator creates)", () => {
  const policies = (network: Parameters<typeof postgresNetworkPolicies>[2], backup = false) =>
    postgresNetworkPolicies("immich-db", "immich", network, backup);
  const network = { clients: ["immich-server"], cni: "other" as const, operatorNamespace: "cnpg-system" };

  it("selects the operator's pod label, admits only the operator, its own pods and its clients", () => {
    const [policy] = policies(network);
    expect(policy.metadata).toEqual({ name: "immich-db-postgres", namespace: "immich" });
    const spec = policy["spec"] as Record<string, unknown>;
    expect(spec["podSelector"]).toEqual({ matchLabels: { "cnpg.io/cluster": "immich-db" } });
    expect(spec["policyTypes"]).toEqual(["Ingress", "Egress"]);
    expect(spec["ingress"]).toEqual([
      {
        from: [
          {
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "cnpg-system" } },
            podSelector: { matchLabels: { "app.kubernetes.io/name": "cloudnative-pg" } },
          },
        ],
        ports: [
          { protocol: "TCP", port: 8000 },
          { protocol: "TCP", port: 5432 },
        ],
      },
      {
        from: [{ podSelector: { matchLabels: { "cnpg.io/cluster": "immich-db" } } }],
        ports: [
          { protocol: "TCP", port: 5432 },
          { protocol: "TCP", port: 8000 },
        ],
      },
      {
        from: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "immich-server" } } }],
        ports: [{ protocol: "TCP", port: 5432 }],
      },
    ]);
    // No internet without backups.
    expect(JSON.stringify(spec["egress"])).not.toContain("0.0.0.0/0");
  });

  it("admits an admin UI from its namespace only when it lists the cluster", () => {
    const [policy] = policies({ ...network, admins: [{ namespace: "pgadmin", app: "pgadmin" }] });
    const ingress = (policy["spec"] as { ingress: { from: unknown[] }[] }).ingress;
    expect(ingress[2].from).toContainEqual({
      namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "pgadmin" } },
      podSelector: { matchLabels: { "app.kubernetes.io/name": "pgadmin" } },
    });
  });

  it("reaches the object store over HTTPS on the internet only when backups are on", () => {
    const [policy] = policies(network, true);
    const egress = (policy["spec"] as { egress: Record<string, unknown>[] }).egress;
    expect(egress).toContainEqual({
      to: [
        {
          ipBlock: {
            cidr: "0.0.0.0/0",
            except: [
              "10.0.0.0/8",
              "100.64.0.0/10",
              "127.0.0.0/8",
              "169.254.0.0/16",
              "172.16.0.0/12",
              "192.168.0.0/16",
            ],
          },
        },
      ],
      ports: [{ protocol: "TCP", port: 443 }],
    });
  });

  it("reaches the API server: Cilium's kube-apiserver entity on Talos, private ranges on 6443 elsewhere", () => {
    const cilium = policies({ ...network, cni: "cilium" })[1];
    expect(cilium.kind).toBe("CiliumNetworkPolicy");
    expect(cilium["spec"]).toEqual({
      endpointSelector: { matchLabels: { "cnpg.io/cluster": "immich-db" } },
      egress: [{ toEntities: ["kube-apiserver"], toPorts: [{ ports: [{ port: "6443", protocol: "TCP" }] }] }],
    });
    const other = policies(network)[1];
    expect(other.kind).toBe("NetworkPolicy");
    expect((other["spec"] as { egress: unknown[] }).egress).toEqual([
      {
        to: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"].map((cidr) => ({ ipBlock: { cidr } })),
        ports: [{ protocol: "TCP", port: 6443 }],
      },
    ]);
  });
});
