/* eslint-disable @typescript-eslint/no-explicit-any -- the tests walk plain manifest trees */
import { validateItems, type Addon, type Bundle } from "../../components/gitops/delivery";
import { longhornService, synologyNfsService } from "../../components/platform/storage";
import { parseLonghornSettings, parseSynologyNfsSettings } from "../../config/services/networking-data";
import { clusterOf, contextOf, parse } from "./networking-data-fixtures";

describe("longhorn", () => {
  const home = clusterOf("k3s", ["longhorn"]);
  const build = longhornService.build(contextOf(home, parse(parseLonghornSettings, home)));
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
  const build = synologyNfsService.build(contextOf(home, settings));
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
