/** The shared workload component (components/apps/workload): controller kinds, delivery phases, secret references between apps. */
import { phaseOf, validateItems, type KubeObject } from "../../components/gitops";
import { container, pureContext, webApp } from "./fixtures";
import { build, objectsOf, find, podOf } from "./workload-helpers";

describe("controllers and phases", () => {
  it("orders a migration Job before the workloads and a database StatefulSet in base", () => {
    const app = webApp({
      controllers: {
        web: { type: "deployment", containers: { web: container() } },
        migrate: {
          type: "migration",
          containers: { migrate: container({ command: ["migrate"], probes: {} }) },
        },
        nightly: { type: "cronjob", schedule: "0 3 * * *", containers: { job: container({ probes: {} }) } },
        db: {
          type: "statefulset",
          phase: "base",
          volumeClaimTemplates: { data: { size: "1Gi" } },
          containers: { db: container({ mounts: { "/data": "data" }, runAsUser: 999, runAsGroup: 1000 }) },
        },
      },
    });
    const objects = objectsOf([app]);
    const job = find(objects, "Job");
    expect(job.metadata.name).toMatch(/^web-migrate-[0-9a-f]{8}$/);
    expect(phaseOf(job as KubeObject)).toBe("migrations");
    expect(phaseOf(find(objects, "Deployment") as KubeObject)).toBe("workloads");
    expect(phaseOf(find(objects, "CronJob") as KubeObject)).toBe("workloads");
    const sts = find(objects, "StatefulSet", "web-db");
    expect(phaseOf(sts as KubeObject)).toBe("base");
    expect(sts.spec.volumeClaimTemplates[0].spec.storageClassName).toBe("hcloud-volumes-encrypted");
    expect(sts.spec.persistentVolumeClaimRetentionPolicy).toEqual({
      whenDeleted: "Retain",
      whenScaled: "Retain",
    });
    expect(podOf(sts).securityContext.fsGroup).toBe(1000);
    expect(podOf(sts).containers[0].securityContext).toMatchObject({ runAsUser: 999, runAsGroup: 1000 });
    expect(podOf(job).restartPolicy).toBe("OnFailure");
  });
  it("names the Job after its template so an image bump makes a new Job", () => {
    const withTag = (tag: string): string =>
      find(
        objectsOf([
          webApp({
            controllers: {
              web: { type: "deployment", containers: { web: container() } },
              m: { type: "migration", containers: { m: container({ image: { repository: "r/x", tag } }) } },
            },
          }),
        ]),
        "Job",
      ).metadata.name as string;
    expect(withTag("1.0.0")).not.toBe(withTag("1.0.1"));
    expect(withTag("1.0.0")).toBe(withTag("1.0.0"));
  });
  it("rejects a secret reference that is nobody's secret", () => {
    const app = webApp({
      controllers: {
        web: {
          type: "deployment",
          containers: { web: container({ env: { X: { secret: "nope", key: "k" } } }) },
        },
      },
    });
    expect(() => build([app])).toThrow(
      'app "web": secret "nope" is not one of its secrets (none) nor "<app>/<secret>" of another app',
    );
  });
  it("resolves <app>/<secret> of a peer built by another catalog app in the namespace", () => {
    const owner = webApp({
      name: "store",
      secrets: { op: { type: "onepassword", itemPath: "vaults/infra/items/store" } },
    });
    const client = webApp({
      controllers: {
        web: {
          type: "deployment",
          containers: { web: container({ env: { PW: { secret: "store/op", key: "password" } } }) },
        },
      },
    });
    expect(() => build([client])).toThrow('secret "store/op" is not one of its secrets');
    const pod = podOf(find(objectsOf([client], pureContext({ peers: [owner] })), "Deployment", "web"));
    expect(pod.containers[0].env).toContainEqual({
      name: "PW",
      valueFrom: { secretKeyRef: { name: "store-op", key: "password" } },
    });
  });
  it("shares an emptyDir between the containers of a pod that mount it", () => {
    const app = webApp({
      persistence: { scratch: { type: "emptyDir", medium: "Memory", sizeLimit: "1Mi" } },
      controllers: {
        web: {
          type: "deployment",
          initContainers: { init: container({ probes: {}, mounts: { "/out": "scratch" } }) },
          containers: { web: container({ mounts: { "/in": "scratch" } }) },
        },
      },
    });
    const objects = objectsOf([app]);
    expect(objects.filter((o) => o.kind === "PersistentVolumeClaim")).toEqual([]);
    const pod = podOf(find(objects, "Deployment", "web"));
    expect(pod.volumes).toEqual([{ name: "scratch", emptyDir: { medium: "Memory", sizeLimit: "1Mi" } }]);
    expect(pod.initContainers[0].volumeMounts).toEqual([{ name: "scratch", mountPath: "/out" }]);
    expect(pod.containers[0].volumeMounts).toEqual([{ name: "scratch", mountPath: "/in" }]);
  });
  it("delivers valid items in the apps layer", () => {
    const items = build([webApp({ dependsOn: ["postgres"] })]).items;
    expect(() => validateItems(items, { complete: false })).not.toThrow();
    expect(items[0]).toMatchObject({
      kind: "bundle",
      name: "web",
      layer: "apps",
      namespace: "demo",
      dependsOn: ["postgres"],
    });
  });
});
