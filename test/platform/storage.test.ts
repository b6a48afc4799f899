/* eslint-disable @typescript-eslint/no-explicit-any -- the tests walk plain manifest trees */
import { validateItems, type Addon, type Bundle } from "../../components/gitops/delivery";
import { longhornService } from "../../components/platform/longhorn";
import { synologyNfsService } from "../../components/platform/synology-nfs";
import { parseLonghornSettings } from "../../components/platform/longhorn/settings";
import { parseSynologyNfsSettings } from "../../components/platform/synology-nfs/settings";
import { clusterOf, contextOf, parse } from "./networking-data-fixtures";

describe("longhorn", () => {
  const home = clusterOf("k3s", ["longhorn"]);
  const build = longhornService.spec.build(contextOf(home, parse(parseLonghornSettings, home)));
  const chart = build.items[0] as Addon;

  it("installs the pinned chart with a 3-replica default StorageClass whose volumes are retained", () => {
    expect(build.items.map((i) => i.name)).toEqual(["longhorn"]);
    expect(chart).toMatchObject({
      repository: "https://charts.longhorn.io",
      version: "1.10.1",
      namespace: "longhorn-system",
    });
    expect(chart.values).toEqual({
      persistence: { defaultClass: true, defaultClassReplicaCount: 3, reclaimPolicy: "Retain" },
    });
    expect(() => validateItems(build.items, { complete: false })).not.toThrow();
  });

  describe("volume backups", () => {
    const block = {
      backup: {
        target: "s3://example-longhorn@eu-central-003/production/",
        endpoint: "https://s3.eu-central-003.backblazeb2.com",
      },
    };
    const settings = parse(parseLonghornSettings, home, block, "longhorn");
    const keys = {
      longhornBackupS3AccessKeyId: "fake-test-key-id",
      longhornBackupS3SecretAccessKey: "fake-test-secret-key",
    };

    it("points the default BackupTarget at the bucket and backs up every volume daily, keeping 14", () => {
      const b = longhornService.spec.build(contextOf(home, settings, keys));
      expect(b.items.map((i) => i.name)).toEqual(["longhorn", "longhorn-backup"]);
      expect((b.items[0] as Addon).values?.["defaultBackupStore"]).toEqual({
        backupTarget: "s3://example-longhorn@eu-central-003/production/",
        backupTargetCredentialSecret: "longhorn-backup-s3",
      });
      const jobs = b.items[1] as Bundle;
      expect(jobs.dependsOn).toEqual(["longhorn"]);
      expect(jobs.objects).toEqual([
        {
          apiVersion: "longhorn.io/v1beta2",
          kind: "RecurringJob",
          metadata: { name: "backup-daily", namespace: "longhorn-system" },
          spec: { task: "backup", cron: "0 2 * * *", retain: 14, concurrency: 2, groups: ["default"] },
        },
      ]);
      expect(b.liveSecrets.map((x) => [x.namespace, x.name, Object.keys(x.stringData).sort()])).toEqual([
        [
          "longhorn-system",
          "longhorn-backup-s3",
          ["AWS_ACCESS_KEY_ID", "AWS_ENDPOINTS", "AWS_SECRET_ACCESS_KEY"],
        ],
      ]);
      // The keys only ever reach the live Secret.
      expect(JSON.stringify(b.items)).not.toContain("fake-test");
      expect(() => validateItems(b.items, { complete: false })).not.toThrow();
    });

    it("needs both keys, and a target with its region and trailing slash", () => {
      expect(() =>
        longhornService.spec.build(contextOf(home, settings, { longhornBackupS3AccessKeyId: "k" })),
      ).toThrow(
        'longhorn on cluster "home": serviceSettings.longhorn.backup is set, so secret config platform:longhornBackupS3AccessKeyId and platform:longhornBackupS3SecretAccessKey are required',
      );
      expect(longhornService.spec.neededSecrets?.(settings)).toEqual([
        "longhornBackupS3AccessKeyId",
        "longhornBackupS3SecretAccessKey",
      ]);
      expect(() =>
        parse(
          parseLonghornSettings,
          home,
          { backup: { ...block.backup, target: "s3://bucket/path" } },
          "longhorn",
        ),
      ).toThrow("platform:clusters.home.serviceSettings.longhorn.backup.target");
    });
  });

  it("bounds the replica count by the three hosts", () => {
    expect(() => parse(parseLonghornSettings, home, { replicas: 4 }, "longhorn")).toThrow(
      "Invalid config platform:clusters.home.serviceSettings.longhorn.replicas = 4: expected a whole number from 1 to 3",
    );
  });
});

describe("synology-nfs", () => {
  const home = clusterOf("k3s", ["synology-nfs"]);
  const settings = parse(parseSynologyNfsSettings, home, {
    nfs: { server: "10.0.40.10", share: "/volume1/kubernetes" },
  });
  const build = synologyNfsService.spec.build(contextOf(home, settings));
  const [driver, classes] = build.items as [Addon, Bundle];

  it("installs csi-driver-nfs, then a Retain and a Delete StorageClass on the share", () => {
    expect(build.items.map((i) => i.name)).toEqual(["csi-driver-nfs", "synology-nfs-classes"]);
    expect(driver).toMatchObject({ chart: "csi-driver-nfs", version: "4.12.1", namespace: "kube-system" });
    expect(classes.dependsOn).toEqual(["csi-driver-nfs"]);
    expect(classes.layer).toBe("infrastructure-configs");
    expect(classes.objects.map((o: any) => [o.metadata.name, o.reclaimPolicy, o.provisioner])).toEqual([
      ["synology-nfs", "Retain", "nfs.csi.k8s.io"],
      ["synology-nfs-ephemeral", "Delete", "nfs.csi.k8s.io"],
    ]);
    expect((classes.objects[0] as any).parameters).toEqual({
      server: "10.0.40.10",
      share: "/volume1/kubernetes",
    });
    expect((classes.objects[0] as any).metadata.annotations).toBeUndefined();
    expect(() => validateItems(build.items, { complete: false })).not.toThrow();
  });

  it("requires the NAS server and share", () => {
    expect(() => parse(parseSynologyNfsSettings, home, {}, "synology-nfs")).toThrow(
      "Invalid config platform:clusters.home.serviceSettings.synology-nfs.nfs = (not set): required; set nfs.server and nfs.share of the Synology NFS export",
    );
    expect(() =>
      parse(
        parseSynologyNfsSettings,
        home,
        { nfs: { server: "10.0.40.10", share: "volume1" } },
        "synology-nfs",
      ),
    ).toThrow(
      'Invalid config platform:clusters.home.serviceSettings.synology-nfs.nfs.share = "volume1": expected the exported path, e.g. /volume1/kubernetes',
    );
  });
});
