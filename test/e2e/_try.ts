import { swapStack } from "./swap";
import * as fs from "node:fs";
fs.writeFileSync("/tmp/e2e-scratch/install.yaml", "kind: List\n");
for (const stack of ["homelab", "stage", "prod"]) {
  const s = swapStack("/work/wt/e2e", stack, () => "/tmp/e2e-scratch/install.yaml");
  const kc = Object.fromEntries(
    s.clusters.map((c) => [
      c.name,
      "apiVersion: v1\nclusters:\n- cluster:\n    server: https://127.0.0.1:1\n  name: x\n",
    ]),
  );
  fs.writeFileSync(
    `/tmp/e2e-scratch/${stack}.json`,
    JSON.stringify({
      stack,
      config: { ...s.config, "platform:kubeconfigs": JSON.stringify(kc) },
      secretKeys: [...s.secretKeys, "platform:kubeconfigs"],
    }),
  );
  console.log(stack, JSON.stringify(s.clusters.map((c) => [c.name, c.nodes.length, c.storageClasses])));
}
