/**
 * The preflight's place: a cluster whose workloads cannot fit is reported together with the
 * config errors of the other clusters, before the stack registers any resource.
 */
import * as pulumi from "@pulumi/pulumi";
import { runProgram } from "../../lib/mock-runtime";
import { runStack } from "../../stacks/program";
import { cloudConfig, secretKeysOf } from "../fixtures";

type Config = Record<string, unknown>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Clusters = Record<string, any>;

const clusters = (config: Config) => config["platform:clusters"] as Clusters;

/** Runs the whole program on the mock runtime; returns its error and every registered resource. */
async function run(config: Config) {
  const { resources, outputs } = await runProgram(
    () => {
      try {
        runStack();
        return { error: undefined };
      } catch (error) {
        return { error: error as Error };
      }
    },
    { stack: "prod", config, secretKeys: secretKeysOf(config) },
  );
  return { resources, error: outputs.error };
}

/** The cloud fixture with prod's apps on one cx22 worker and no autoscaled pool. */
function tooSmallProd(): Config {
  const config = cloudConfig();
  const prod = clusters(config).prod;
  prod.nodePools = [prod.nodePools[0], { ...prod.nodePools[1], serverType: "cx22" }];
  return config;
}

describe("capacity preflight, before any resource", () => {
  it("refuses a cluster that cannot fit its workloads without registering a resource", async () => {
    const { error, resources } = await run(tooSmallProd());
    expect(error).toBeInstanceOf(pulumi.RunError);
    expect(error?.message).toMatch(
      /Invalid config platform:clusters\.prod\.apps = .*: cluster prod: .* fits no node/,
    );
    expect(resources).toEqual([]);
  });

  it("reports one cluster's capacity error with another cluster's config error, in one run", async () => {
    const config = tooSmallProd();
    // A second cluster with a config error of its own.
    const stage = structuredClone(clusters(config).prod);
    stage.git.branch = "stage";
    stage.nodePools[1].serverType = "cx99";
    clusters(config).stage = stage;
    const { error, resources } = await run(config);
    const lines = error?.message.split("\n") ?? [];
    expect(lines[0]).toMatch(/^\d+ config errors:$/);
    expect(
      lines.some((l) => l.includes("Invalid config platform:clusters.stage.nodePools[1].serverType")),
    ).toBe(true);
    expect(lines.some((l) => /platform:clusters\.prod\.apps = .*fits no node/.test(l))).toBe(true);
    expect(resources).toEqual([]);
  });
});
