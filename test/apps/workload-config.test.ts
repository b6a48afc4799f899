/** The shared workload component (components/apps/workload): the app's ConfigMaps, files and the checksum that rolls pods. */
import { container, webApp } from "./fixtures";
import { objectsOf, find, podOf } from "./workload-helpers";

describe("config", () => {
  const configured = (core: Record<string, string>) =>
    webApp({
      configMaps: { core, nginx: { "nginx.conf": "events {}\n" } },
      controllers: {
        web: {
          type: "deployment",
          containers: {
            web: container({
              envFromConfigMaps: ["core", "shared-external"],
              env: { MODE: { configMap: "core", key: "MODE" } },
              files: { "/etc/nginx/nginx.conf": { configMap: "nginx", key: "nginx.conf" } },
            }),
          },
        },
      },
    });
  it("renders the app's ConfigMaps and resolves env groups, values and files to them", () => {
    const objects = objectsOf([configured({ MODE: "production" })]);
    expect(find(objects, "ConfigMap", "web-core").data).toEqual({ MODE: "production" });
    const c = podOf(find(objects, "Deployment", "web")).containers[0];
    // An env group the app does not own keeps its name (a ConfigMap something else creates).
    expect(c.envFrom).toEqual([
      { configMapRef: { name: "web-core" } },
      { configMapRef: { name: "shared-external" } },
    ]);
    expect(c.env).toContainEqual({
      name: "MODE",
      valueFrom: { configMapKeyRef: { name: "web-core", key: "MODE" } },
    });
    expect(podOf(find(objects, "Deployment", "web")).volumes).toContainEqual({
      name: "web-file-etc-nginx-nginx-conf",
      configMap: { name: "web-nginx" },
    });
  });
  it("mounts a file from one of the app's secrets", () => {
    const objects = objectsOf([
      webApp({
        secrets: {
          auth: { type: "external", store: "vault", keys: { "auth.yaml": { remoteKey: "web-auth" } } },
        },
        controllers: {
          web: {
            type: "deployment",
            containers: {
              web: container({ files: { "/app/auth.yaml": { secret: "auth", key: "auth.yaml" } } }),
            },
          },
        },
      }),
    ]);
    const spec = podOf(find(objects, "Deployment", "web"));
    expect(spec.volumes).toContainEqual({
      name: "web-file-app-auth-yaml",
      secret: { secretName: "web-auth" },
    });
    expect(spec.containers[0].volumeMounts).toContainEqual({
      name: "web-file-app-auth-yaml",
      mountPath: "/app/auth.yaml",
      subPath: "auth.yaml",
      readOnly: true,
    });
    expect(() =>
      objectsOf([
        webApp({
          controllers: {
            web: {
              type: "deployment",
              containers: { web: container({ files: { "/a": { secret: "nope", key: "k" } } }) },
            },
          },
        }),
      ]),
    ).toThrow('app "web": secret "nope" is not one of its secrets');
  });
  it("rolls the pods when the config changes", () => {
    const checksum = (mode: string) =>
      find(objectsOf([configured({ MODE: mode })]), "Deployment", "web").spec.template.metadata.annotations[
        "checksum/config"
      ];
    expect(checksum("production")).toMatch(/^[0-9a-f]{16}$/);
    expect(checksum("production")).toBe(checksum("production"));
    expect(checksum("staging")).not.toBe(checksum("production"));
  });
});
