/**
 * Talos's own validation of every machine config the program generates (stage and prod):
 * each pool's patch (components/cluster/talos machinePatch) over the config `talosctl gen
 * config` renders at the pinned Talos and Kubernetes versions, loaded with Talos's config
 * loader and validated in cloud mode by tools/real/talos-validate.
 */
import { spawnSync } from "node:child_process";
import { certSans, machinePatch } from "../../components/cluster/talos/machine-config";
import { parseClusters } from "../../config/clusters";
import { DEFAULT_VERSIONS } from "../../config/defaults";
import { ErrorCollector } from "../../config/reader";
import { loadOfflineConfig } from "../../tools/stack-config";
import { missingTools, readTools, ROOT } from "./harness";

const tools = readTools();
const missing = missingTools(tools, ["talos-validate"]);
if (missing.length > 0) process.stderr.write(`e2e: Talos validation skipped: ${missing.join("; ")}\n`);
const describeIf = missing.length > 0 ? describe.skip : describe;

/** Obviously fake values where the component passes secrets and addresses known only at `up`. */
const FAKE_PUBLIC_IP = "203.0.113.10";

describeIf.each(["stage", "prod"])("Talos machine configs of %s", (stack) => {
  it("every pool's config passes Talos's loader and Validate in cloud mode", () => {
    const offline = loadOfflineConfig(ROOT, stack);
    const errors = new ErrorCollector();
    const clusters = parseClusters(offline.config["platform:clusters"], stack, errors);
    errors.throwIfAny();
    const requests = clusters.flatMap((c) =>
      c.kind !== "talos-hcloud"
        ? []
        : c.nodePools.map((pool) => {
            const input = { role: pool.role, pool: pool.name, labels: pool.labels, taints: pool.taints };
            const sans = certSans([FAKE_PUBLIC_IP], c);
            return {
              name: `${c.name}/${pool.name}`,
              role: pool.role,
              clusterName: c.name,
              endpoint: `https://${FAKE_PUBLIC_IP}:6443`,
              talosVersion: DEFAULT_VERSIONS.talos,
              kubernetesVersion: DEFAULT_VERSIONS.kubernetes.replace(/^v/, ""),
              patch: machinePatch(c, DEFAULT_VERSIONS, input, sans),
            };
          }),
    );
    expect(requests.length).toBeGreaterThan(0);
    const run = spawnSync(tools["talos-validate"].path!, [], {
      input: JSON.stringify(requests),
      encoding: "utf8",
    });
    if (run.stdout.trim() === "") throw new Error(`talos-validate failed: ${run.stderr}`);
    const results = JSON.parse(run.stdout) as { name: string; warnings: string[]; error?: string }[];
    process.stdout.write(
      results
        .map(
          (r) =>
            `${r.name}: ${r.error ? `INVALID: ${r.error}` : "valid"}${r.warnings.length ? ` (warnings: ${r.warnings.join("; ")})` : ""}`,
        )
        .join("\n") + "\n",
    );
    expect(results.filter((r) => r.error)).toEqual([]);
  });
});
