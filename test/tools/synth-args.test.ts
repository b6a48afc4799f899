/** The synth's command line: a bad argument is named; the summary names every tree written. */
import { main, usageProblem, wroteLine, type SynthResult } from "../../tools/synth";

async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join(""), err: err.join("") };
}

describe("synth arguments", () => {
  it("names an unknown option, then prints the usage, exit 64", async () => {
    const { code, err } = await run(["stage", "--outt", "x"]);
    expect(code).toBe(64);
    expect(err.split("\n")[0]).toBe("error: unknown option --outt");
    expect(err).toContain("usage: npm run synth -- <stack> [--out DIR] [--emit]");
  });

  it("names each other mistake", () => {
    expect(usageProblem([], "out")).toBe("no stack given");
    expect(usageProblem(["stage", "prod"], "out")).toBe("unexpected argument prod (one stack at a time)");
    expect(usageProblem(["stage"], undefined)).toBe("--out needs a directory (--out DIR)");
    expect(usageProblem(["-x"], "out")).toBe("unknown option -x");
    expect(usageProblem(["stage"], "out")).toBeUndefined();
  });

  it("names the gitops/ tree in what it wrote, when the stack emits one", () => {
    const result = (files: string[]) =>
      ({ stack: "homelab", files: new Map(files.map((f) => [f, ""])) }) as unknown as SynthResult;
    expect(wroteLine(result(["plan.json", "gitops/homelab/staging/a.yaml"]), "out/homelab")).toBe(
      "wrote out/homelab/plan.json, out/homelab/manifests/ and out/homelab/gitops/ (the tree emit clusters sync; --emit writes it into gitops/homelab/)",
    );
    expect(wroteLine(result(["plan.json"]), "out/prod")).toBe(
      "wrote out/prod/plan.json and out/prod/manifests/",
    );
  });
});
