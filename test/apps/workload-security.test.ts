/** The shared workload component (components/apps/workload): secure defaults and their explicit, reasoned opt-outs. */
import { OPT_OUT_PREFIX } from "../../components/apps/workload";
import { container, webApp } from "./fixtures";
import { build, objectsOf, find, podOf, type Any } from "./workload-helpers";

describe("secure defaults and opt-outs", () => {
  it("gives every container the restricted profile, requests and a memory limit", () => {
    const app = webApp({
      controllers: {
        web: {
          type: "deployment",
          containers: { web: container({ writablePaths: ["/tmp"] }) },
          initContainers: { init: container() },
          sidecars: { side: container() },
        },
      },
    });
    const pod = podOf(find(objectsOf([app]), "Deployment", "web"));
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
    const all = [...pod.initContainers, ...pod.containers];
    expect(all.map((c: Any) => c.name as string)).toEqual(["init", "side", "web"]);
    expect(pod.initContainers[1].restartPolicy).toBe("Always");
    for (const c of all) {
      expect(c.securityContext).toEqual({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        capabilities: { drop: ["ALL"] },
        seccompProfile: { type: "RuntimeDefault" },
      });
      expect(c.resources).toEqual({ requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "64Mi" } });
    }
    expect(pod.volumes).toContainEqual({ name: "web-tmp-tmp", emptyDir: {} });
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: "web-tmp-tmp", mountPath: "/tmp" });
  });

  it("records each opt-out with its reason on the object and the pod", () => {
    const security = {
      runAsNonRoot: { reason: "image needs root" },
      readOnlyRootFilesystem: { reason: "writes its cache in /app" },
      allowPrivilegeEscalation: { reason: "setuid helper" },
      capabilities: { reason: "binds port 80", add: ["NET_BIND_SERVICE"] },
    };
    const app = webApp({
      controllers: {
        web: {
          type: "deployment",
          serviceAccountToken: { reason: "talks to the API" },
          containers: { web: container({ security }) },
        },
      },
    });
    const d = find(objectsOf([app]), "Deployment", "web");
    const expected = {
      [`${OPT_OUT_PREFIX}web.runAsNonRoot`]: "image needs root",
      [`${OPT_OUT_PREFIX}web.readOnlyRootFilesystem`]: "writes its cache in /app",
      [`${OPT_OUT_PREFIX}web.allowPrivilegeEscalation`]: "setuid helper",
      [`${OPT_OUT_PREFIX}web.capabilities`]: "binds port 80",
      [`${OPT_OUT_PREFIX}pod.automountServiceAccountToken`]: "talks to the API",
    };
    expect(d.metadata.annotations).toEqual(expected);
    expect(d.spec.template.metadata.annotations).toEqual(expected);
    const pod = podOf(d);
    expect(pod.automountServiceAccountToken).toBe(true);
    expect(pod.securityContext.runAsNonRoot).toBe(false);
    expect(pod.containers[0].securityContext).toEqual({
      allowPrivilegeEscalation: true,
      readOnlyRootFilesystem: false,
      runAsNonRoot: false,
      capabilities: { drop: ["ALL"], add: ["NET_BIND_SERVICE"] },
      seccompProfile: { type: "RuntimeDefault" },
    });
  });

  it("rejects an opt-out without a reason, root without an opt-out and an unpinned image", () => {
    const noReason = webApp({
      controllers: {
        web: {
          type: "deployment",
          containers: { web: container({ security: { runAsNonRoot: { reason: " " } } }) },
        },
      },
    });
    expect(() => build([noReason])).toThrow(
      'app "web" container "web": security.runAsNonRoot opt-out needs a reason',
    );
    const root = webApp({
      controllers: { web: { type: "deployment", containers: { web: container({ runAsUser: 0 }) } } },
    });
    expect(() => build([root])).toThrow(
      'app "web" container "web": runAsUser 0 is root; opt out with security.runAsNonRoot and a reason',
    );
    const latest = webApp({
      controllers: {
        web: {
          type: "deployment",
          containers: { web: container({ image: { repository: "x/y", tag: "latest" } }) },
        },
      },
    });
    expect(() => build([latest])).toThrow('image x/y: tag "latest" is not pinned; set an exact tag');
  });
});
