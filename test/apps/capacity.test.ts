/**
 * The capacity preflight on the shipped stacks: they pass as shipped and with every image
 * they wait for set (what a stack looks like once the services' CI has run), and a cluster
 * too small for its apps is refused with the workload, its requests and each pool's reason.
 */
import { synthEdited } from "./stack-synth";

const digest = (c: string) => `sha256:${c.repeat(64)}`;
/** Every image the cloud stacks leave to CI or to the operator, as fake but well-formed references. */
const WAITING: Record<string, Record<string, string>> = {
  steady: {
    "platform-backend": `ghcr.io/hitchai-app/platform-backend:sha-1111111`,
    "inference-backend": `ghcr.io/hitchai-app/inference-backend:sha-2222222`,
    "dev-ui": `ghcr.io/hitchai-app/dev-ui:sha-3333333`,
  },
  "cortex-api": {
    "cortex-api": "registry.example.test/cortex-api:1.0.0",
    "redis-proxy": "registry.example.test/redis-proxy:1.0.0",
    "exporter-merger": "registry.example.test/exporter-merger:1.0.0",
    "chrome-devtools-protocol-server": "registry.example.test/cdp:1.0.0",
  },
  mastodon: {
    mastodon: `ghcr.io/glitch-soc/mastodon:v4.5.0-beta.2@${digest("a")}`,
    streaming: `ghcr.io/glitch-soc/mastodon-streaming:v4.5.0-beta.2@${digest("b")}`,
  },
};

describe("capacity preflight", () => {
  // As shipped, `npm run synth:all` (part of `npm test`) fails on any preflight error.
  it.each(["stage", "prod"])("passes %s with every waiting image set", async (stack) => {
    const result = await synthEdited(stack, (doc) => {
      const apps = doc.getIn(["config", "platform:clusters", stack, "apps"]) as { toJSON(): string[] };
      for (const app of apps.toJSON())
        for (const [image, ref] of Object.entries(WAITING[app] ?? {}))
          doc.setIn(["config", "platform:clusters", stack, "appSettings", app, "images", image], ref);
      const settings = ["config", "platform:clusters", stack, "appSettings"];
      doc.setIn([...settings, "steady", "migrationCommands"], {
        "platform-backend": ["node", "migrate.js"],
        "inference-backend": ["node", "migrate.js"],
      });
      // cortex-api reads its secrets from Vault (003): the operator configures the store.
      doc.setIn(["config", "platform:clusters", stack, "serviceSettings", "external-secrets", "vault"], {
        server: "https://vault.example.test",
        auth: "kubernetes",
        role: "external-secrets",
      });
      doc.setIn([...settings, "cortex-api", "jwt"], {
        issuer: "https://auth.example.test/",
        jwksUri: "https://auth.example.test/.well-known/jwks.json",
      });
    });
    expect(result.ok).toBe(true);
  });

  it("refuses prod on one cx22 worker, naming the workload, its requests and each pool's reason", async () => {
    await expect(
      synthEdited("prod", (doc) => {
        doc.setIn(["config", "platform:clusters", "prod", "nodePools", 1, "serverType"], "cx22");
        doc.setIn(["config", "platform:clusters", "prod", "nodePools", 1, "count"], 1);
      }),
    ).rejects.toThrow(
      /Invalid config platform:clusters\.prod\.apps = .*: cluster prod: .* \(1 x \d+m cpu, [\d.]+(Mi|Gi) memory\) fits no node \(pool control-plane \(1 x cx22\): taint node-role\.kubernetes\.io\/control-plane=:NoSchedule not tolerated; pool worker \(1 x cx22\): full; pool autoscaler \(2 x cx32, autoscaled, at its max\): taint autoscaler-node=true:NoSchedule not tolerated\); add or enlarge nodes/,
    );
  });
});
