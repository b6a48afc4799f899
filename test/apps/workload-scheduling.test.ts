/**
 * The workload component's scheduling and rollout fields: placement (nodeSelector,
 * architectures, node affinity, tolerations), Deployment strategy, lifecycle hooks,
 * supplementalGroups, file modes, extra Services and CronJob concurrency.
 */
import { buildWorkloads, type AppSpec, type Controller } from "../../components/apps/workload";
import type { Bundle, KubeObject } from "../../components/gitops";
import { validateSchemas } from "../../tools/schemas";
import { container, pureContext, webApp } from "./fixtures";

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const objectsOf = (apps: AppSpec[]): KubeObject[] =>
  (buildWorkloads(apps, pureContext()).items as Bundle[]).flatMap((b) => [...b.objects]);
const find = (objects: KubeObject[], kind: string, name: string): Any => {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`no ${kind}/${name}`);
  return o;
};
const deployment = (
  c: Partial<Extract<Controller, { type: "deployment" }>>,
  extra: Partial<AppSpec> = {},
): Any =>
  find(
    objectsOf([
      webApp({
        controllers: { web: { type: "deployment", containers: { web: container() }, ...c } },
        ...extra,
      }),
    ]),
    "Deployment",
    "web",
  );
const schemaErrors = (objects: readonly unknown[]) =>
  validateSchemas(objects).filter((r) => r.status !== "valid");

describe("placement", () => {
  const placement = {
    nodeSelector: { "node.kubernetes.io/instance-type": "cx32" },
    architectures: ["arm64" as const],
    requiredNodeAffinity: [
      { key: "topology.kubernetes.io/zone", operator: "In" as const, values: ["fsn1-dc14"] },
    ],
    preferredNodeAffinity: [{ weight: 50, match: [{ key: "disk", operator: "Exists" as const }] }],
    tolerations: [
      { key: "autoscaler-node", value: "true", effect: "NoSchedule" as const },
      { key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" as const },
    ],
  };

  it("renders nodeSelector, an arch term, node affinity and tolerations from the app's placement", () => {
    const pod = deployment({}, { placement }).spec.template.spec;
    expect(pod.nodeSelector).toEqual({ "node.kubernetes.io/instance-type": "cx32" });
    expect(pod.affinity.nodeAffinity).toEqual({
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [
          {
            matchExpressions: [
              { key: "kubernetes.io/arch", operator: "In", values: ["arm64"] },
              { key: "topology.kubernetes.io/zone", operator: "In", values: ["fsn1-dc14"] },
            ],
          },
        ],
      },
      preferredDuringSchedulingIgnoredDuringExecution: [
        { weight: 50, preference: { matchExpressions: [{ key: "disk", operator: "Exists" }] } },
      ],
    });
    expect(pod.tolerations).toEqual([
      { key: "autoscaler-node", operator: "Equal", value: "true", effect: "NoSchedule" },
      { key: "node-role.kubernetes.io/control-plane", operator: "Exists", effect: "NoSchedule" },
    ]);
  });

  it("keeps the spreading anti-affinity beside node affinity, and a controller's placement replaces the app's", () => {
    const d = deployment({ replicas: 2, placement: { architectures: ["amd64"] } }, { placement });
    const pod = d.spec.template.spec;
    expect(Object.keys(pod.affinity).sort()).toEqual(["nodeAffinity", "podAntiAffinity"]);
    expect(
      pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms,
    ).toEqual([{ matchExpressions: [{ key: "kubernetes.io/arch", operator: "In", values: ["amd64"] }] }]);
    expect(pod.tolerations).toBeUndefined();
    expect(schemaErrors([d])).toEqual([]);
  });

  it("refuses a weight outside 1-100, values on Exists and In without values", () => {
    expect(() =>
      deployment({}, { placement: { preferredNodeAffinity: [{ weight: 0, match: [] }] } }),
    ).toThrow('app "web" placement.preferredNodeAffinity: weight 0 must be an integer from 1 to 100');
    expect(() =>
      deployment({}, { placement: { tolerations: [{ key: "k", operator: "Exists", value: "v" }] } }),
    ).toThrow('app "web" placement.tolerations: k has operator Exists and a value; drop the value');
    expect(() =>
      deployment({}, { placement: { requiredNodeAffinity: [{ key: "zone", operator: "In" }] } }),
    ).toThrow("node requirement zone In: needs values");
  });
});

describe("Deployment strategy", () => {
  const rwo: Partial<AppSpec> = { persistence: { data: { type: "pvc", size: "1Gi" } } };
  const mounted = { containers: { web: container({ mounts: { "/data": "data" } }) } };

  it("is Recreate by default with a ReadWriteOnce volume, and the API default without one", () => {
    expect(deployment(mounted, rwo).spec.strategy).toEqual({ type: "Recreate" });
    expect(deployment({}).spec.strategy).toBeUndefined();
    const rwx: Partial<AppSpec> = {
      persistence: { data: { type: "pvc", size: "1Gi", accessMode: "ReadWriteMany" } },
    };
    expect(deployment(mounted, rwx).spec.strategy).toBeUndefined();
  });

  it("refuses a surging RollingUpdate with a ReadWriteOnce volume and renders an allowed one", () => {
    expect(() => deployment({ ...mounted, strategy: { type: "RollingUpdate" } }, rwo)).toThrow(
      'app "web" controllers.web.strategy: RollingUpdate with a surge cannot roll out while it mounts the ReadWriteOnce volume(s) data',
    );
    expect(
      deployment({ ...mounted, strategy: { type: "RollingUpdate", maxSurge: 0, maxUnavailable: 1 } }, rwo)
        .spec.strategy,
    ).toEqual({ type: "RollingUpdate", rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } });
    expect(deployment({ strategy: { type: "RollingUpdate", maxSurge: "50%" } }).spec.strategy).toEqual({
      type: "RollingUpdate",
      rollingUpdate: { maxSurge: "50%" },
    });
  });
});

describe("pod and container fields", () => {
  it("renders lifecycle hooks, supplementalGroups and a file's mode", () => {
    const d = deployment(
      {
        supplementalGroups: [65536],
        containers: {
          web: container({
            lifecycle: { preStop: { sleepSeconds: 5 }, postStart: { exec: ["touch", "/tmp/up"] } },
            files: { "/etc/app/key": { configMap: "conf", key: "key", mode: 0o400 } },
          }),
        },
      },
      { configMaps: { conf: { key: "k" } } },
    );
    const pod = d.spec.template.spec;
    expect(pod.securityContext.supplementalGroups).toEqual([65536]);
    expect(pod.containers[0].lifecycle).toEqual({
      postStart: { exec: { command: ["touch", "/tmp/up"] } },
      preStop: { sleep: { seconds: 5 } },
    });
    expect(pod.volumes).toContainEqual({
      name: "web-file-etc-app-key",
      configMap: { name: "web-conf", items: [{ key: "key", path: "key" }], defaultMode: 0o400 },
    });
    expect(schemaErrors([d])).toEqual([]);
  });

  it("renders extra Services (headless too) and refuses a name used twice", () => {
    const objects = objectsOf([
      webApp({ extraServices: { peers: { ports: { http: 8080 }, headless: true } } }),
    ]);
    expect(find(objects, "Service", "web-peers").spec).toMatchObject({
      clusterIP: "None",
      type: "ClusterIP",
    });
    expect(find(objects, "Service", "web").spec.clusterIP).toBeUndefined();
    expect(() =>
      objectsOf([
        webApp({
          controllers: {
            web: { type: "deployment", containers: { web: container() } },
            peers: { type: "deployment", containers: { web: container() } },
          },
          extraServices: { peers: { controller: "peers", ports: { http: 8080 } } },
          service: { controller: "peers", ports: { http: 8080 } },
        }),
      ]),
    ).toThrow('app "web" extraServices.peers: Service name "web-peers" is already used');
  });

  it("sets a CronJob's concurrency policy, Forbid by default", () => {
    const cron = (concurrencyPolicy?: "Replace") =>
      find(
        objectsOf([
          webApp({
            service: undefined,
            controllers: {
              web: {
                type: "cronjob",
                schedule: "0 3 * * *",
                containers: { web: container() },
                ...(concurrencyPolicy ? { concurrencyPolicy } : {}),
              },
            },
          }),
        ]),
        "CronJob",
        "web",
      );
    expect(cron().spec.concurrencyPolicy).toBe("Forbid");
    expect(cron("Replace").spec.concurrencyPolicy).toBe("Replace");
  });
});

describe("disruption budgets", () => {
  it("cover an autoscaled Deployment whose minimum is one (e.g. Mastodon streaming, 1-3)", () => {
    const objects = objectsOf([
      webApp({
        controllers: {
          web: {
            type: "deployment",
            autoscaling: { min: 1, max: 3, cpu: 80 },
            containers: { web: container() },
          },
        },
      }),
    ]);
    expect(find(objects, "PodDisruptionBudget", "web").spec).toEqual({
      maxUnavailable: 1,
      selector: { matchLabels: { "app.kubernetes.io/name": "web", "app.kubernetes.io/component": "web" } },
    });
    expect(objectsOf([webApp()]).some((o) => o.kind === "PodDisruptionBudget")).toBe(false);
  });
});
