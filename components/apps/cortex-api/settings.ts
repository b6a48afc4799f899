/**
 * Typed settings of cortex-api (source document 003), read from
 * `platform:clusters.<cluster>.appSettings.cortex-api`. Document 003 fixes the shape (a
 * four-container pod with read-only root filesystems, HPA, PDB, spread, probes, Istio
 * gateway, mTLS and JWT, NetworkPolicy, Vault secrets) but names no image, port or path;
 * those are settings, with the defaults below stated as assumptions in the README.
 */
import type { ImageDefault } from "../../../config/apps/images";
import { ConfigError, Reader } from "../../../config/reader";
import type { ClusterConfig } from "../../../config/types";
import { parseAppImages, type AppImages } from "../../../config/apps/images";

export const CORTEX_API_IMAGES = {
  // Document 003 names the four containers but no image or registry: every reference is
  // the operator's (their private registry), required before the pod can run.
  "cortex-api": { platforms: ["amd64"] },
  "redis-proxy": { platforms: ["amd64"] },
  "exporter-merger": { platforms: ["amd64"] },
  "chrome-devtools-protocol-server": { platforms: ["amd64"] },
} satisfies Readonly<Record<string, ImageDefault>>;

export const CORTEX_SIDECARS = ["redis-proxy", "exporter-merger", "chrome-devtools-protocol-server"] as const;
export type CortexSidecar = (typeof CORTEX_SIDECARS)[number];

export interface CortexContainer {
  readonly port: number;
  readonly args: readonly string[];
  /** Plain (non-secret) environment of the image, as its maintainers document it. */
  readonly env: Readonly<Record<string, string>>;
}

export interface CortexApiSettings {
  /** @default "cortex-api" */
  readonly namespace: string;
  /** Host label (or full name) of the public route. @default "cortex" */
  readonly host: string;
  readonly images: AppImages;
  /** The API container: port (8000), liveness and readiness paths (`/health`, `/ready`). */
  readonly api: CortexContainer & { readonly livenessPath: string; readonly readinessPath: string };
  readonly sidecars: Readonly<Record<CortexSidecar, CortexContainer>>;
  /** The sidecar whose port serves the merged Prometheus metrics. */
  readonly metricsFrom: "exporter-merger";
  readonly autoscaling: { readonly min: number; readonly max: number; readonly cpu: number };
  /** JWT issuer the RequestAuthentication trusts; required once the images are set. @default none */
  readonly jwt?: { readonly issuer: string; readonly jwksUri: string; readonly audiences: readonly string[] };
  /** Vault KV path (for the vault-backend ClusterSecretStore) holding the API credentials. */
  readonly vaultPath: string;
}

const LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const HOST = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const PATH = /^\/[A-Za-z0-9._~\/-]*$/;
const HTTPS = /^https:\/\/[^\s]+$/;

/** Default ports: uvicorn's (the API is a Python app run with UV, 003), Redis, exporter-merger, Chrome DevTools. */
const DEFAULT_PORTS: Readonly<Record<"api" | CortexSidecar, number>> = {
  api: 8000,
  "redis-proxy": 6379,
  "exporter-merger": 8080,
  "chrome-devtools-protocol-server": 9222,
};

function container(r: Reader, name: "api" | CortexSidecar): CortexContainer {
  return {
    port: r.integer("port", { min: 1024, max: 65535 }, DEFAULT_PORTS[name]),
    args: r.stringList("args"),
    env: r.stringMap("env"),
  };
}

/** Parses `platform:clusters.<cluster>.appSettings.cortex-api`. */
export function parseCortexApiSettings(
  r: Reader,
  cluster: Pick<ClusterConfig, "name" | "architecture">,
): CortexApiSettings {
  r.only(["namespace", "host", "images", "api", "sidecars", "autoscaling", "jwt", "vaultPath"]);
  const images = parseAppImages(r, "cortex-api", CORTEX_API_IMAGES, cluster.architecture);
  const api = r.optionalObject("api").only(["port", "args", "env", "livenessPath", "readinessPath"]);
  const sidecars = r.optionalObject("sidecars").only([...CORTEX_SIDECARS]);
  const scaling = r.optionalObject("autoscaling").only(["min", "max", "cpu"]);
  const min = scaling.integer("min", { min: 2, max: 50 }, 2);
  const max = scaling.integer("max", { min: 2, max: 100 }, 6);
  if (max < min) throw new ConfigError(scaling.key("max"), max, `must be at least min (${min})`);
  let jwt: CortexApiSettings["jwt"];
  if (r.has("jwt")) {
    const j = r.object("jwt").only(["issuer", "jwksUri", "audiences"]);
    jwt = {
      issuer: j.string("issuer", { pattern: /\S/, expected: "the token issuer (iss claim)" }),
      jwksUri: j.string("jwksUri", { pattern: HTTPS, expected: "an https:// JWKS URL" }),
      audiences: j.stringList("audiences", { pattern: /\S/, expected: "an audience" }),
    };
  } else if (Object.values(images).some((i) => i !== undefined)) {
    throw new ConfigError(
      r.key("jwt"),
      undefined,
      "required once images are set: { issuer, jwksUri } of the tokens clients present (document 003: JWT validation with RequestAuthentication)",
    );
  }
  return {
    namespace: r.string("namespace", { pattern: LABEL, expected: "a DNS label" }, "cortex-api"),
    host: r.string("host", { pattern: HOST, expected: "a host label or name" }, "cortex"),
    images,
    api: {
      ...container(api, "api"),
      livenessPath: api.string("livenessPath", { pattern: PATH, expected: "an HTTP path" }, "/health"),
      readinessPath: api.string("readinessPath", { pattern: PATH, expected: "an HTTP path" }, "/ready"),
    },
    sidecars: Object.fromEntries(
      CORTEX_SIDECARS.map((name) => [
        name,
        container(sidecars.optionalObject(name).only(["port", "args", "env"]), name),
      ]),
    ) as Record<CortexSidecar, CortexContainer>,
    metricsFrom: "exporter-merger",
    autoscaling: { min, max, cpu: scaling.integer("cpu", { min: 10, max: 100 }, 70) },
    ...(jwt ? { jwt } : {}),
    vaultPath: r.string(
      "vaultPath",
      { pattern: /^[A-Za-z0-9_\/-]+$/, expected: "a Vault KV path" },
      "cortex-api",
    ),
  };
}
