/**
 * CryptPad's spec: pinned image, both origins on one route through the shared Gateway, its
 * four volumes, and the named opt-out of the read-only root filesystem.
 */
import { parseCryptpadSettings, type CryptpadSettings } from "../../components/apps/cryptpad/settings";
import { Reader } from "../../config/reader";
import { cryptpadSpecs } from "../../components/apps/cryptpad";
import { buildWorkloads } from "../../components/apps/workload";
import type { Bundle, KubeObject } from "../../components/gitops";
import { validateSchemas } from "../../tools/schemas";
import { pureContext } from "./fixtures";

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const KEY = "platform:clusters.prod.appSettings.cryptpad";
const settings = (raw: unknown): CryptpadSettings =>
  parseCryptpadSettings(Reader.object(KEY, raw), { name: "prod", architecture: "amd64" });
const objects = (): KubeObject[] =>
  buildWorkloads(
    cryptpadSpecs(settings({}), "goingdark.social"),
    pureContext({ namespace: "cryptpad", domain: "goingdark.social" }),
  ).items.flatMap((i) => (i as Bundle).objects as KubeObject[]);
const find = (kind: string): Any => objects().find((o) => o.kind === kind) as Any;

describe("cryptpad", () => {
  it("runs the pinned image with both origins and its volumes", () => {
    const d = find("Deployment");
    const c = d.spec.template.spec.containers[0];
    expect(c.image).toBe("docker.io/cryptpad/cryptpad:version-2025.6.0");
    expect(c.env).toEqual([
      { name: "CPAD_MAIN_DOMAIN", value: "https://pad.goingdark.social" },
      { name: "CPAD_SANDBOX_DOMAIN", value: "https://pad-sandbox.goingdark.social" },
      { name: "CPAD_CONF", value: "/cryptpad/config/config.js" },
    ]);
    expect(c.volumeMounts.map((m: Any) => m.mountPath)).toEqual([
      "/cryptpad/blob",
      "/cryptpad/block",
      "/cryptpad/data",
      "/cryptpad/datastore",
    ]);
    expect(d.spec.template.spec.securityContext.fsGroup).toBe(4001);
    expect(c.securityContext).toMatchObject({
      runAsUser: 4001,
      runAsNonRoot: true,
      readOnlyRootFilesystem: false,
    });
    expect(d.metadata.annotations["security.platform.io/cryptpad.readOnlyRootFilesystem"]).toContain(
      "npm run build",
    );
    expect(
      objects()
        .filter((o) => o.kind === "PersistentVolumeClaim")
        .map((p) => [p.metadata.name, (p as Any).spec.resources.requests.storage]),
    ).toEqual([
      ["cryptpad-blob", "10Gi"],
      ["cryptpad-block", "1Gi"],
      ["cryptpad-data", "5Gi"],
      ["cryptpad-datastore", "10Gi"],
    ]);
  });

  it("routes pad and its sandbox to port 3000 through the shared Gateway", () => {
    expect(find("HTTPRoute").spec).toMatchObject({
      hostnames: ["pad.goingdark.social", "pad-sandbox.goingdark.social"],
      rules: [{ backendRefs: [{ name: "cryptpad", port: 3000 }] }],
    });
  });

  it("rejects a bad size and passes the upstream schemas", () => {
    expect(() => settings({ storage: { blob: "lots" } })).toThrow(`${KEY}.storage.blob`);
    expect(validateSchemas(objects()).filter((r) => r.status === "invalid")).toEqual([]);
  });
});
