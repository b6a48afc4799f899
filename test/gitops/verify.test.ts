/** Issue #21 item 6: the Flux GitRepository verifies commit signatures when `git.verify` is set. */
import { createEngine, GIT_VERIFY_SECRET_NAME } from "../../components/gitops";
import { runProgram } from "../../lib/mock-runtime";
import { validateSchemas } from "../../tools/schemas";
import { fakeCluster, gitFor, ITEMS, VERSIONS } from "./fixtures";

// Recorded inputs are untyped JSON.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

const KEYS = "-----BEGIN PGP PUBLIC KEY BLOCK-----\nmQINBFakekey\n-----END PGP PUBLIC KEY BLOCK-----";

async function source(verify: boolean) {
  const { resources } = await runProgram(() => {
    createEngine("flux", "main-gitops", {
      cluster: fakeCluster("main"),
      stack: "homelab",
      delivery: "emit",
      git: { ...gitFor("homelab", "main"), ...(verify ? { verify: { mode: "HEAD" as const, publicKeys: KEYS } } : {}) },
      versions: VERSIONS,
      items: ITEMS,
    });
  });
  return resources;
}

describe("Flux commit verification", () => {
  it("verifies the synced commit against the configured signers, whose keys are applied live", async () => {
    const resources = await source(true);
    const repo = resources.find((r) => r.name === "main-gitops-source")!.inputs as Any;
    expect(repo.spec.verify).toEqual({ mode: "HEAD", secretRef: { name: GIT_VERIFY_SECRET_NAME } });
    expect(validateSchemas([repo]).map((s) => s.status)).toEqual(["valid"]);
    const signers = resources.find((r) => r.name === "main-gitops-git-signers")!;
    expect([signers.type, (signers.inputs as Any).metadata]).toEqual(["kubernetes:core/v1:Secret", { name: GIT_VERIFY_SECRET_NAME, namespace: "flux-system" }]);
    expect(Object.keys((signers.inputs as Any).stringData)).toEqual(["signers.asc"]);
    // The source waits for the keys.
    expect(resources.find((r) => r.name === "main-gitops-source")!.dependsOn).toContain(signers.urn);
  });

  it("verifies nothing when git.verify is not set", async () => {
    const resources = await source(false);
    expect((resources.find((r) => r.name === "main-gitops-source")!.inputs as Any).spec.verify).toBeUndefined();
    expect(resources.some((r) => r.name === "main-gitops-git-signers")).toBe(false);
  });
});
