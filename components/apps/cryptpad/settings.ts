/**
 * Typed settings of CryptPad (source document 002: "Privacy-respecting collaborative editor",
 * `pad.goingdark.social`), read from `platform:clusters.<cluster>.appSettings.cryptpad`.
 */
import { BOTH, type ImageDefault } from "../../../config/apps/images";
import type { Reader } from "../../../config/reader";
import type { ClusterConfig } from "../../../config/types";
import { parseAppImages, type AppImages } from "../../../config/apps/images";

export const CRYPTPAD_IMAGES = {
  // 002 names no version; the tag upstream's docker-compose.yml pins (cryptpad/cryptpad
  // docker-compose.yml), built for linux/amd64 and linux/arm64 (.github/workflows/publish-release.yml).
  cryptpad: {
    repository: "docker.io/cryptpad/cryptpad",
    // renovate: datasource=docker depName=docker.io/cryptpad/cryptpad versioning=docker
    tag: "version-2025.6.0",
    platforms: BOTH,
  },
} satisfies Readonly<Record<string, ImageDefault>>;

export interface CryptpadSettings {
  /** @default "cryptpad" (002's repository: namespace cryptpad) */
  readonly namespace: string;
  readonly images: AppImages;
  /** Main origin label. @default "pad" (002: pad.goingdark.social) */
  readonly host: string;
  /**
   * Sandbox origin label: CryptPad needs a second origin for its cross-domain iframe. 002
   * does not name it; one label under the cluster domain stays inside a wildcard certificate.
   * @default "pad-sandbox"
   */
  readonly sandboxHost: string;
  /** Volume sizes (002 does not give them). */
  readonly storage: {
    /** Uploaded files. @default "10Gi" */
    readonly blob: string;
    /** Documents. @default "10Gi" */
    readonly datastore: string;
    /** Pins, tasks, archive, logs. @default "5Gi" */
    readonly data: string;
    /** Login blocks. @default "1Gi" */
    readonly block: string;
  };
}

const LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const QUANTITY = { pattern: /^[1-9][0-9]*(Mi|Gi|Ti)$/, expected: "a size like 10Gi" };

/** Parses `platform:clusters.<cluster>.appSettings.cryptpad`. */
export function parseCryptpadSettings(
  r: Reader,
  cluster: Pick<ClusterConfig, "name" | "architecture">,
): CryptpadSettings {
  r.only(["namespace", "images", "host", "sandboxHost", "storage"]);
  const label = { pattern: LABEL, expected: "a DNS label" };
  const storage = r.optionalObject("storage").only(["blob", "datastore", "data", "block"]);
  return {
    namespace: r.string("namespace", label, "cryptpad"),
    images: parseAppImages(r, "cryptpad", CRYPTPAD_IMAGES, cluster.architecture),
    host: r.string("host", label, "pad"),
    sandboxHost: r.string("sandboxHost", label, "pad-sandbox"),
    storage: {
      blob: storage.string("blob", QUANTITY, "10Gi"),
      datastore: storage.string("datastore", QUANTITY, "10Gi"),
      data: storage.string("data", QUANTITY, "5Gi"),
      block: storage.string("block", QUANTITY, "1Gi"),
    },
  };
}
