/**
 * Contexts for the networking-data service tests: plain cluster facts, settings parsed from
 * config blocks the way the lead's wiring will, and obviously fake secrets.
 */
import * as pulumi from "@pulumi/pulumi";
import { capabilitiesOf } from "../../components/cluster/capabilities";
import { BUILT_IN_SERVICES } from "../../components/platform/registry";
import type { ServiceContext } from "../../components/platform/types";
import { Reader } from "../../config/reader";
import type { ClusterConfig, ClusterKind } from "../../config/types";

export const FAKE_TOKEN = "fake-test-cloudflare-token-not-a-secret";
export const FAKE_KEY_ID = "fake-test-b2-key-id-not-a-secret";
export const FAKE_SECRET_KEY = "fake-test-b2-secret-key-not-a-secret";

/** A minimal cluster config of a kind (only the fields the group reads). */
export function clusterOf(kind: ClusterKind, services: string[], name = "home"): ClusterConfig {
  const common = { name, kind, domain: "example.org", services, apps: [], architecture: "arm64" };
  if (kind === "k3s")
    return {
      ...common,
      vip: "10.0.40.100",
      loadBalancerPool: "10.0.40.100-10.0.40.110",
    } as unknown as ClusterConfig;
  return common as unknown as ClusterConfig;
}

/** Parses one service's settings block with its parser, under the key the lead will use. */
export function parse<S>(
  parser: (r: Reader, c: ClusterConfig) => S,
  cluster: ClusterConfig,
  block: Record<string, unknown> = {},
  service = "svc",
): S {
  return parser(new Reader(`platform:clusters.${cluster.name}.serviceSettings.${service}`, block), cluster);
}

/** A builder context; `parent` is only used by builders that generate passwords. */
export function contextOf<S>(
  cluster: ClusterConfig,
  settings: S,
  secrets: Record<string, string> = {},
  parent?: pulumi.Resource,
): ServiceContext<S> {
  return {
    cluster: {
      name: cluster.name,
      kind: cluster.kind,
      domain: cluster.domain,
      capabilities: capabilitiesOf(cluster, BUILT_IN_SERVICES),
    },
    settings,
    secrets: Object.fromEntries(Object.entries(secrets).map(([k, v]) => [k, pulumi.secret(v)])),
    parent: parent ?? ({} as pulumi.Resource),
  };
}

/** Serializes items and fails the test when a fake secret shows up in them. */
export function itemsText(items: readonly unknown[]): string {
  return JSON.stringify(items);
}
