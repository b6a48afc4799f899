/** Shared fixtures of the platform service tests; every secret is obviously fake. */
import * as pulumi from "@pulumi/pulumi";
import { capabilitiesOf } from "../../components/cluster/capabilities";
import { BUILT_IN_SERVICES } from "../../components/platform/registry";
import type { ServiceContext } from "../../components/platform/types";
import type { ClusterConfig, ClusterKind } from "../../config/types";

export const FAKE = (name: string): string => `fake-test-${name}-not-a-secret`;

/** The fields of a cluster config the operations group reads. */
export function cluster(kind: ClusterKind, services: string[], name = "prod"): ClusterConfig {
  return {
    name,
    kind,
    services,
    apps: [],
    architecture: kind === "k3s" ? "arm64" : "amd64",
    domain: "example.org",
  } as unknown as ClusterConfig;
}

export class TestParent extends pulumi.ComponentResource {
  constructor(name: string) {
    super("platform:test:Parent", name, {}, {});
    this.registerOutputs({});
  }
}

/**
 * A builder context for `config` with `secrets` (names to fake values, made secret Outputs).
 * `live`: inside `runProgram`, with a real parent for generated resources; otherwise the
 * parent is a stub, so a builder that creates resources fails loudly.
 */
export function context<S>(
  config: ClusterConfig,
  settings: S,
  secrets: string[] = [],
  live = false,
): ServiceContext<S> {
  const out: Record<string, pulumi.Output<string>> = {};
  for (const key of secrets) out[key] = pulumi.secret(FAKE(key));
  return {
    cluster: {
      name: config.name,
      kind: config.kind,
      domain: config.domain,
      capabilities: capabilitiesOf(config, BUILT_IN_SERVICES),
    },
    settings,
    secrets: out,
    parent: live ? new TestParent("parent") : ({} as pulumi.Resource),
  };
}

/** Chart values and object specs are deep JSON; tests read into them loosely. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Loose = any;
