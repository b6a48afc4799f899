/** pulumi.log under the mock runtime: recorded with the run, never printed. */
import * as pulumi from "@pulumi/pulumi";
import { runProgram } from "../../lib/mock-runtime";
import { shippedSynth } from "../helpers/shipped-synth";

describe("pulumi.log under the mock runtime", () => {
  it("records every message of a run, in order, and restores the SDK's functions", async () => {
    const warn = pulumi.log.warn;
    const printed = jest.spyOn(console, "warn");
    const { logs } = await runProgram(() => {
      void pulumi.log.info("one");
      void pulumi.log.warn("two");
      void pulumi.log.error("three");
    });
    expect(logs).toEqual([
      { severity: "info", message: "one" },
      { severity: "warning", message: "two" },
      { severity: "error", message: "three" },
    ]);
    expect(printed).not.toHaveBeenCalled();
    expect(pulumi.log.warn).toBe(warn);
    printed.mockRestore();
  });

  it("carries the program's warnings for the shipped stacks (apps waiting for an image)", async () => {
    const { logs, summary } = await shippedSynth("prod");
    // The synth's summary carries them (nothing goes to stderr).
    expect(summary).toContain(
      `\nprogram messages (pulumi.log; a real preview prints each): ${logs.length}\n`,
    );
    expect(logs).toContainEqual({
      severity: "warning",
      message:
        "prod: steady/platform-backend has no usable image reference yet (none set, or a digest required); its workloads are left out until platform:clusters.prod.appSettings.steady.images.platform-backend is set in the stack file (by hand or by the image_update flow)",
    });
    // Besides the images: the shipped apiAllowedCidrs of [current] alone (README "Who can reach the APIs").
    expect(
      logs.every(
        (l) =>
          l.severity === "warning" &&
          (l.message.includes("has no usable image reference yet") ||
            l.message.startsWith("prod: apiAllowedCidrs is [current] alone")),
      ),
    ).toBe(true);
  });
});
