/**
 * A custom app (examples/custom-app) enabled on the homelab stack through
 * `platform:appModules`: the real loader and synth path, with the checks and error messages a
 * built-in app gets, and the errors of a wrong module entry.
 */
import type { Document } from "yaml";
import { BUILT_IN_UNITS, withAppModules } from "../../stacks/units";
import { WHOAMI_IMAGES, whoamiDefinition } from "../../examples/custom-app";
import type { SynthResult } from "../../tools/synth";
import { synthEdited } from "./stack-synth";

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const MODULE = "examples/custom-app";

/** Enables whoami on `cluster` of the homelab stack, with the module entry `modules`. */
function enable(doc: Document, cluster: string, modules: Record<string, string> = { whoami: MODULE }) {
  doc.setIn(["config", "platform:appModules"], modules);
  const apps = doc.getIn(["config", "platform:clusters", cluster, "apps"]) as { items: unknown[] };
  doc.setIn(["config", "platform:clusters", cluster, "apps"], [...apps.items.map(String), "whoami"]);
}

const inNamespace = (r: SynthResult, kind: string, namespace: string): Any[] =>
  r.objects
    .filter((o) => o.cluster === "production")
    .map((o) => o.object as Any)
    .filter((o) => o.kind === kind && o.metadata.namespace === namespace);

describe("platform:appModules", () => {
  it("adds the module's app to the built-in ones, with where it came from", () => {
    const units = withAppModules({ whoami: MODULE });
    expect(units.apps.length).toBe(BUILT_IN_UNITS.apps.length + 1);
    const whoami = units.apps.find((d) => d.name === "whoami")!;
    expect(whoami.origin).toBe(MODULE);
    expect(whoami.images).toBe(WHOAMI_IMAGES);
    expect(units.services).toBe(BUILT_IN_UNITS.services);
    expect(withAppModules({})).toEqual(BUILT_IN_UNITS);
  });

  it("refuses a built-in app's name, a module without the named app, and a missing module", () => {
    expect(() => withAppModules({ linkding: MODULE })).toThrow(
      'Invalid config platform:appModules.linkding = "examples/custom-app": linkding is a built-in app; give your app another name',
    );
    expect(() => withAppModules({ hello: MODULE })).toThrow(
      'Invalid config platform:appModules.hello = "examples/custom-app": the module defines whoami, not hello; name the key after the app',
    );
    expect(() => withAppModules({ net: "lib/net" })).toThrow(
      'Invalid config platform:appModules.net = "lib/net": the module exports no app defined with defineApp',
    );
    expect(() => withAppModules({ whoami: "examples/nowhere" })).toThrow(
      'Invalid config platform:appModules.whoami = "examples/nowhere": no module there; give the path of examples/nowhere.ts',
    );
  });
});

describe("whoami from examples/custom-app on the homelab stack", () => {
  let result: SynthResult;
  beforeAll(async () => {
    result = await synthEdited("homelab", (doc) => {
      enable(doc, "production");
      doc.setIn(["config", "platform:clusters", "production", "appSettings", "whoami"], { replicas: 2 });
    });
  }, 120_000);

  it("synthesizes with the schemas and the policy pack passing", () => {
    expect(result.schema.filter((s) => s.status === "invalid")).toEqual([]);
    expect(result.policy).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it("runs its Deployment as the workload component renders a built-in app's", () => {
    const [deployment] = inNamespace(result, "Deployment", "whoami");
    expect(deployment.metadata.name).toBe("whoami");
    expect(deployment.spec.replicas).toBe(2);
    const container = deployment.spec.template.spec.containers[0];
    expect(container.image).toBe(`docker.io/traefik/whoami:${WHOAMI_IMAGES.whoami.tag}`);
    expect(container.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532 });
  });

  it("is refused on a cluster whose architecture its images do not publish", async () => {
    const replaced = jest.replaceProperty(WHOAMI_IMAGES.whoami, "platforms", ["amd64"]);
    try {
      await expect(synthEdited("homelab", (doc) => enable(doc, "production"))).rejects.toThrow(
        'Invalid config platform:clusters.production.appSettings.whoami.images.whoami = "docker.io/traefik/whoami": publishes amd64 only, not arm64; run whoami on an amd64 cluster, or set an image built for arm64',
      );
    } finally {
      replaced.restore();
    }
  });

  it("gets its namespace at Pod Security restricted, and its route through Traefik", () => {
    const [namespace] = result.objects
      .filter((o) => o.cluster === "production")
      .map((o) => o.object as Any)
      .filter((o) => o.kind === "Namespace" && o.metadata.name === "whoami");
    expect(namespace.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
    const [ingress] = inNamespace(result, "Ingress", "whoami");
    expect(ingress.spec.rules[0].host).toBe("whoami.ronaldlokers.nl");
    const plan = JSON.parse(result.files.get("plan.json")!) as Any;
    expect(plan.outputs.apps["production/whoami"]).toEqual({
      cluster: "production",
      url: "https://whoami.ronaldlokers.nl",
    });
  });

  it("is checked like a built-in app: settings, catalog needs and unknown names", async () => {
    await expect(
      synthEdited("homelab", (doc) => {
        enable(doc, "production");
        doc.setIn(["config", "platform:clusters", "production", "appSettings", "whoami"], { replicas: 0 });
      }),
    ).rejects.toThrow(
      "Invalid config platform:clusters.production.appSettings.whoami.replicas = 0: expected a whole number from 1 to 10",
    );
    await expect(
      synthEdited("homelab", (doc) => {
        enable(doc, "production");
        const services = doc.getIn(["config", "platform:clusters", "production", "services"]) as {
          items: unknown[];
        };
        doc.setIn(
          ["config", "platform:clusters", "production", "services"],
          services.items.map(String).filter((s) => s !== "cert-manager" && s !== "cloudnative-pg"),
        );
        doc.setIn(["config", "platform:clusters", "production", "apps"], ["whoami"]);
      }),
    ).rejects.toThrow(
      'Invalid config platform:clusters.production.apps[0] = "whoami": publishes routes, which on this k3s cluster go through the cert-manager service',
    );
    await expect(synthEdited("homelab", (doc) => enable(doc, "production", {}))).rejects.toThrow(
      /apps\[\d+\] = "whoami": unknown application; known: steady, .*speedtest-tracker$/m,
    );
  }, 240_000);

  it("is the definition the module exports", () => {
    expect(whoamiDefinition.name).toBe("whoami");
    expect(whoamiDefinition.catalog.routes).toBe("cluster");
  });
});
