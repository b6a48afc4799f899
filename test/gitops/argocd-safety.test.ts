import { argoApplicationSet, argoProject, placeArgoCd } from "../../components/gitops/argocdObjects";
import { ITEMS } from "./fixtures";

describe("Argo CD safety", () => {
  it("keeps the platform project out of the argocd namespace; infrastructure may write there", () => {
    expect(argoProject("platform", []).spec).toMatchObject({
      destinations: [
        { server: "https://kubernetes.default.svc", namespace: "!argocd" },
        { server: "https://kubernetes.default.svc", namespace: "*" },
      ],
    });
    expect((argoProject("infrastructure", []).spec as { destinations: unknown }).destinations).toEqual([
      { server: "https://kubernetes.default.svc", namespace: "*" },
    ]);
    const git = { url: "https://git.example.org/p.git", branch: "main", path: "gitops/x/y" };
    const appsTemplate = (argoApplicationSet("apps", git).spec as Record<string, any>).template; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(appsTemplate.spec.destination.namespace).not.toBe("argocd");
  });

  it("runs migration Jobs as Sync hooks deleted before the next run (Job templates are immutable)", () => {
    const placed = placeArgoCd(ITEMS).objects.map((p) => p.object);
    const job = placed.find((o) => o.kind === "Job")!;
    expect(job.metadata.annotations).toMatchObject({
      "argocd.argoproj.io/sync-wave": "1",
      "argocd.argoproj.io/hook": "Sync",
      "argocd.argoproj.io/hook-delete-policy": "BeforeHookCreation",
    });
    const deployment = placed.find((o) => o.kind === "Deployment")!;
    expect(deployment.metadata.annotations?.["argocd.argoproj.io/hook"]).toBeUndefined();
  });
});
