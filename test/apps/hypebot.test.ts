/**
 * Hypebot's spec: the pinned image, config.yaml from the settings, auth.yaml from the secret
 * store as a file, the state on a claim, and the restricted defaults.
 */
import { parseHypebotSettings, type HypebotSettings } from "../../components/apps/hypebot/settings";
import { Reader } from "../../config/reader";
import { hypebotConfigYaml, hypebotSpecs } from "../../components/apps/hypebot";
import { buildWorkloads } from "../../components/apps/workload";
import type { Bundle, KubeObject } from "../../components/gitops";
import { validateSchemas } from "../../tools/schemas";
import { pureContext } from "./fixtures";

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const KEY = "platform:clusters.prod.appSettings.hypebot";
const settings = (raw: unknown, architecture: "amd64" | "arm64" = "amd64"): HypebotSettings =>
  parseHypebotSettings(Reader.object(KEY, raw), { name: "prod", architecture });
const RAW = { subscribedInstances: { "mastodon.social": 5, "chaos.social": 3 }, fields: { code: "x" } };

const objects = (): KubeObject[] =>
  buildWorkloads(hypebotSpecs(settings(RAW)), pureContext({ namespace: "hypebot" })).items.flatMap(
    (i) => (i as Bundle).objects as KubeObject[],
  );
const find = (kind: string): Any => objects().find((o) => o.kind === kind) as Any;

describe("hypebot", () => {
  it("requires the instances 002 does not name and defaults the rest", () => {
    expect(() => settings({})).toThrow(
      `Invalid config ${KEY}.subscribedInstances = (not set): required: the instances whose trending posts the bot boosts`,
    );
    expect(() => settings({ subscribedInstances: { "mastodon.social": 50 } })).toThrow(
      `${KEY}.subscribedInstances.mastodon.social = 50: expected a whole number from 1 to 20`,
    );
    expect(settings(RAW)).toMatchObject({
      namespace: "hypebot",
      secretStore: "bitwarden-backend",
      authRemoteKey: "app-hypebot-auth",
      interval: 15,
      images: { hypebot: { repository: "ghcr.io/goingdark-social/hypebot", tag: "v0.1.0" } },
    });
    expect(() => settings(RAW, "arm64")).toThrow(`${KEY}.images.hypebot`);
  });

  it("renders config.yaml and mounts auth.yaml from the secret store", () => {
    expect(JSON.parse(hypebotConfigYaml(settings(RAW)))).toEqual({
      interval: 15,
      subscribed_instances: { "mastodon.social": { limit: 5 }, "chaos.social": { limit: 3 } },
      fields: { code: "x" },
    });
    expect(find("ExternalSecret").spec).toMatchObject({
      secretStoreRef: { kind: "ClusterSecretStore", name: "bitwarden-backend" },
      data: [{ secretKey: "auth.yaml", remoteRef: { key: "app-hypebot-auth" } }],
    });
    const d = find("Deployment");
    const c = d.spec.template.spec.containers[0];
    expect(c.image).toBe("ghcr.io/goingdark-social/hypebot:v0.1.0");
    expect(c.volumeMounts.map((m: Any) => [m.mountPath, m.subPath ?? null])).toEqual([
      ["/app/logs", null],
      ["/tmp", null],
      ["/app/config/auth.yaml", "auth.yaml"],
      ["/app/config/config.yaml", "config.yaml"],
      ["/app/secrets", null],
    ]);
    expect(d.spec.template.spec.volumes).toContainEqual({
      name: "hype-file-app-config-auth-yaml",
      secret: { secretName: "hypebot-auth" },
    });
    expect(c.securityContext).toMatchObject({ runAsUser: 1000, readOnlyRootFilesystem: true });
    expect(d.spec.replicas).toBe(1);
    expect(find("PersistentVolumeClaim").spec.resources.requests.storage).toBe("1Gi");
    expect(find("NetworkPolicy").spec.egress).toContainEqual({
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

  it("passes the upstream schemas", () => {
    expect(validateSchemas(objects()).filter((r) => r.status === "invalid")).toEqual([]);
  });
});
