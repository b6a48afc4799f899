/**
 * Typed settings of the AI services of source document 001 (postgres, redis, nats, etcd,
 * litellm, open-webui): six catalog apps in one namespace, each read from its own
 * `platform:clusters.<cluster>.appSettings.<app>`. Every block is small: the namespace, image
 * overrides, and what the app alone decides (sizes, clients, 1Password items). Apps that
 * need one another must share the namespace (checked in config/services/index.ts, since each
 * reaches the other by its Service name and the NetworkPolicies select pods of the namespace).
 */
import { ConfigError, type Reader } from "../../../config/reader";
import type { ClusterConfig } from "../../../config/types";
import { BOTH, parseAppImages, type AppImages, type ImageDefault } from "../../../config/apps/images";

// The AI services of document 001, which names floating tags; each is pinned to a release.
// PostgreSQL 16.10 on Debian bookworm (the Debian variant maps an arbitrary UID with
// nss_wrapper, docker-library/postgres docker-entrypoint.sh); an official image for amd64
// and arm64v8 among others (docker-library/official-images library/postgres).
export const POSTGRES_IMAGES = {
  postgres: {
    repository: "docker.io/library/postgres",
    // renovate: datasource=docker depName=docker.io/library/postgres versioning=docker
    tag: "16.10-bookworm",
    platforms: BOTH,
  },
} satisfies Readonly<Record<string, ImageDefault>>;

// Redis 7.4.5 for 001's `redis:7-alpine` (the last 7.x line); amd64 and arm64v8
// (docker-library/official-images library/redis).
export const REDIS_IMAGES = {
  redis: {
    repository: "docker.io/library/redis",
    // renovate: datasource=docker depName=docker.io/library/redis versioning=docker
    tag: "7.4.5-alpine",
    platforms: BOTH,
  },
} satisfies Readonly<Record<string, ImageDefault>>;

// NATS server 2.11.9 for 001's `nats:2-alpine`; the alpine variant ships a shell for the
// init container that writes auth.conf (docker-library/repo-info repos/nats: 2.11.9-alpine,
// linux amd64 and arm64 v8).
export const NATS_IMAGES = {
  nats: {
    repository: "docker.io/library/nats",
    // renovate: datasource=docker depName=docker.io/library/nats versioning=docker
    tag: "2.11.9-alpine",
    platforms: BOTH,
  },
} satisfies Readonly<Record<string, ImageDefault>>;

// Document 001 pins etcd 3.5.16-0: the kubeadm etcd of Kubernetes 1.32, built for amd64,
// arm, arm64, ppc64le and s390x (kubernetes/kubernetes cluster/images/etcd).
export const ETCD_IMAGES = {
  etcd: {
    repository: "registry.k8s.io/etcd",
    // renovate: datasource=docker depName=registry.k8s.io/etcd versioning=docker
    tag: "3.5.16-0",
    platforms: BOTH,
  },
} satisfies Readonly<Record<string, ImageDefault>>;

// For 001's `main-latest`: the LiteLLM docs' stable release image, as Steady runs it
// (docs/my-website/docs/proxy/docker_quick_start).
export const LITELLM_IMAGES = {
  litellm: {
    repository: "ghcr.io/berriai/litellm",
    // renovate: datasource=docker depName=ghcr.io/berriai/litellm versioning=docker
    tag: "main-v1.77.2-stable",
    platforms: ["amd64"],
  },
} satisfies Readonly<Record<string, ImageDefault>>;

// For 001's `main`: Open WebUI v0.6.26 (open-webui/helm-charts PR #288, chart 7.7.0); its
// release workflow builds linux/amd64 and linux/arm64 (.github/workflows/docker-build.yaml).
export const OPEN_WEBUI_IMAGES = {
  "open-webui": {
    repository: "ghcr.io/open-webui/open-webui",
    // renovate: datasource=docker depName=ghcr.io/open-webui/open-webui versioning=docker
    tag: "v0.6.26",
    platforms: BOTH,
  },
} satisfies Readonly<Record<string, ImageDefault>>;

/** The catalog names of the AI services (config/catalog.ts). */
export const AI_APPS = ["postgres", "redis", "nats", "etcd", "litellm", "open-webui"] as const;
export type AiApp = (typeof AI_APPS)[number];

/** Document 001 runs the services in one namespace; `default` is refused by policy. */
export const AI_NAMESPACE = "ai";
/** Document 001, "Synology NFS Constraints": the Retain class of the NAS. */
export const AI_STORAGE_CLASS = "synology-nfs";

type Cluster = Pick<ClusterConfig, "name" | "architecture">;

/** What every AI service's settings carry. */
export interface AiCommon {
  /** @default "ai" */
  readonly namespace: string;
  readonly images: AppImages;
}

/** A volume on a StorageClass. */
export interface AiVolume {
  /** @default "synology-nfs" (document 001) */
  readonly storageClass: string;
  readonly size: string;
}

export interface PostgresSettings extends AiCommon {
  readonly storage: AiVolume;
}
export type RedisSettings = AiCommon;
export interface NatsSettings extends AiCommon {
  /** The client user of the bcrypt-authenticated server. @default "client" */
  readonly user: string;
  /** Apps of the namespace allowed to connect (NetworkPolicy). @default none */
  readonly clients: readonly string[];
}
export interface EtcdSettings extends AiCommon {
  readonly storage: AiVolume;
  /** Apps of the namespace allowed to connect: etcd has no auth (001), so this is its guard. */
  readonly clients: readonly string[];
}
export interface LitellmSettings extends AiCommon {
  /** The 1Password vault of the provider API keys. @default "Development" (document 001) */
  readonly vault: string;
  /**
   * Provider API keys: env var (e.g. `OPENAI_API_KEY`) -> 1Password item and field in the
   * vault, `<item>/<field>`; each item becomes a OnePasswordItem. @default none
   */
  readonly apiKeys: Readonly<Record<string, { readonly item: string; readonly field: string }>>;
}
export interface OpenWebuiSettings extends AiCommon {
  readonly storage: AiVolume;
  /** Document 001: NodePort 30080. */
  readonly nodePort: number;
  /**
   * Whether the first account (which Open WebUI makes admin) exists. Until then the NodePort
   * is not opened: create the admin through `kubectl port-forward`, then set this.
   * @default false
   */
  readonly onboarded: boolean;
  /** Source ranges the NodePort admits. @default the RFC 1918 private ranges (the LAN) */
  readonly nodePortSources: readonly string[];
}

/** Each AI service's images. */
const AI_IMAGES: Readonly<Record<AiApp, Readonly<Record<string, ImageDefault>>>> = {
  postgres: POSTGRES_IMAGES,
  redis: REDIS_IMAGES,
  nats: NATS_IMAGES,
  etcd: ETCD_IMAGES,
  litellm: LITELLM_IMAGES,
  "open-webui": OPEN_WEBUI_IMAGES,
};

const LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const label = { pattern: LABEL, expected: "a DNS label" };
const QUANTITY = { pattern: /^[1-9][0-9]*(Mi|Gi|Ti)$/, expected: "a size such as 10Gi" };

function common(r: Reader, app: AiApp, cluster: Cluster): AiCommon {
  const namespace: string = r.string<string>("namespace", label, AI_NAMESPACE);
  if (namespace === "default")
    throw new ConfigError(
      r.key("namespace"),
      namespace,
      "the default namespace is refused by policy; use e.g. ai",
    );
  return { namespace, images: parseAppImages(r, app, AI_IMAGES[app], cluster.architecture) };
}

function volume(r: Reader, size: string): AiVolume {
  const v = r.optionalObject("storage").only(["storageClass", "size"]);
  return {
    storageClass: v.string("storageClass", label, AI_STORAGE_CLASS),
    size: v.string("size", QUANTITY, size),
  };
}

/** Parses `appSettings.postgres`. */
export function parsePostgresSettings(r: Reader, cluster: Cluster): PostgresSettings {
  r.only(["namespace", "images", "storage"]);
  return { ...common(r, "postgres", cluster), storage: volume(r, "10Gi") };
}

/** Parses `appSettings.redis`. */
export function parseRedisSettings(r: Reader, cluster: Cluster): RedisSettings {
  r.only(["namespace", "images"]);
  return common(r, "redis", cluster);
}

/** Parses `appSettings.nats`. */
export function parseNatsSettings(r: Reader, cluster: Cluster): NatsSettings {
  r.only(["namespace", "images", "user", "clients"]);
  return {
    ...common(r, "nats", cluster),
    user: r.string("user", { pattern: /^[a-z][a-z0-9_-]{0,31}$/, expected: "a user name" }, "client"),
    clients: r.stringList("clients", label),
  };
}

/** Parses `appSettings.etcd`. */
export function parseEtcdSettings(r: Reader, cluster: Cluster): EtcdSettings {
  r.only(["namespace", "images", "storage", "clients"]);
  return {
    ...common(r, "etcd", cluster),
    storage: volume(r, "2Gi"),
    clients: r.stringList("clients", label),
  };
}

/** Parses `appSettings.litellm`. */
export function parseLitellmSettings(r: Reader, cluster: Cluster): LitellmSettings {
  r.only(["namespace", "images", "vault", "apiKeys"]);
  const raw = r.stringMap("apiKeys");
  const apiKeys: Record<string, { item: string; field: string }> = {};
  for (const [env, ref] of Object.entries(raw)) {
    const key = r.key(`apiKeys.${env}`);
    if (!/^[A-Z][A-Z0-9_]*$/.test(env))
      throw new ConfigError(key, env, "expected an env var name such as OPENAI_API_KEY");
    // The item names the OnePasswordItem and its Secret, so it is a DNS label.
    const match = /^([a-z0-9](?:[-a-z0-9]{0,40}[a-z0-9])?)\/([A-Za-z0-9][-A-Za-z0-9_.]*)$/.exec(ref);
    if (!match)
      throw new ConfigError(
        key,
        ref,
        "expected <item>/<field>: a 1Password item of the vault named by a DNS label, and its field, e.g. openai/credential",
      );
    apiKeys[env] = { item: match[1], field: match[2] };
  }
  return {
    ...common(r, "litellm", cluster),
    vault: r.string(
      "vault",
      { pattern: /^[A-Za-z0-9][-A-Za-z0-9_ ]*$/, expected: "a vault name" },
      "Development",
    ),
    apiKeys,
  };
}

/** Parses `appSettings.open-webui`. */
export function parseOpenWebuiSettings(r: Reader, cluster: Cluster): OpenWebuiSettings {
  r.only(["namespace", "images", "storage", "nodePort", "onboarded", "nodePortSources"]);
  return {
    ...common(r, "open-webui", cluster),
    storage: volume(r, "5Gi"),
    // The Kubernetes default NodePort range (kube-apiserver --service-node-port-range).
    nodePort: r.integer("nodePort", { min: 30000, max: 32767 }, 30080),
    onboarded: r.boolean("onboarded", false),
    nodePortSources: r.stringList(
      "nodePortSources",
      { pattern: /^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/, expected: "an IPv4 CIDR such as 192.168.0.0/16" },
      ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"],
    ),
  };
}
