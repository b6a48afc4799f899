/**
 * Shared fixtures of the homelab app tests (source document 004): an app's own build on a
 * K3s cluster `production` (arm64, Longhorn, Traefik with cert-manager TLS), run through the
 * workload component under the Pulumi mocks, with its live Secrets resolved.
 */
import * as pulumi from "@pulumi/pulumi";
import type { AppBuild, AppSettingsBase, TypedAppDefinition } from "../../components/apps/types";
import { buildWorkloads, type WorkloadBuild } from "../../components/apps/workload";
import { capabilitiesOf } from "../../components/cluster/capabilities";
import { BUILT_IN_SERVICES } from "../../components/platform/registry";
import type { Bundle, KubeObject } from "../../components/gitops";
import { Reader } from "../../config/reader";
import { runProgram, type RecordedResource } from "../../lib/mock-runtime";
import { pureContext } from "./fixtures";

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export const DOMAIN = "example.test";

/** Reads `appSettings.<app>` of the arm64 cluster `production` with the app's parser. */
export function settingsOf<S>(
  app: string,
  parse: (r: Reader, cluster: { architecture: "amd64" | "arm64" }) => S,
  raw: unknown = {},
  architecture: "amd64" | "arm64" = "arm64",
): S {
  return parse(Reader.object(`platform:clusters.production.appSettings.${app}`, raw), { architecture });
}

export interface HomelabRun {
  readonly app: AppBuild;
  readonly build: WorkloadBuild;
  readonly resources: RecordedResource[];
  /** Live Secret name -> resolved data. */
  readonly secretData: Record<string, Record<string, string>>;
}

/** Builds one app as the composition does on the homelab's K3s cluster. */
export async function runHomelabApp<S extends AppSettingsBase>(
  definition: TypedAppDefinition<S>,
  settings: S,
  secrets: Record<string, string> = {},
): Promise<HomelabRun> {
  const run = await runProgram(async () => {
    const parent = new pulumi.ComponentResource("test:index:Apps", "apps");
    const outputs = Object.fromEntries(Object.entries(secrets).map(([k, v]) => [k, pulumi.secret(v)]));
    const app = definition.spec.build({
      cluster: {
        name: "production",
        kind: "k3s",
        domain: DOMAIN,
        capabilities: capabilitiesOf(
          { kind: "k3s", services: ["longhorn"], architecture: "arm64" } as never,
          BUILT_IN_SERVICES,
        ),
      },
      settings,
      secrets: outputs,
    });
    const build = buildWorkloads(
      app.specs,
      pureContext({
        parent,
        namespace: app.namespace,
        domain: DOMAIN,
        cluster: "production",
        exposure: {
          kind: "traefik",
          clusterIssuer: "letsencrypt-production",
          ingressClassName: "traefik",
          namespace: "kube-system",
        },
        defaultStorageClass: "longhorn",
        storageClasses: ["local-path", "longhorn"],
        secrets: outputs,
      }),
    );
    const secretData: Record<string, Record<string, string>> = {};
    for (const s of build.liveSecrets) {
      secretData[s.name] = await new Promise((resolve) =>
        pulumi.output(s.stringData).apply((v) => resolve(v as Record<string, string>)),
      );
    }
    return { app, build, secretData };
  });
  return { ...run.outputs, resources: run.resources };
}

/** Every object of the run's items. */
export const objectsOf = (r: HomelabRun): KubeObject[] =>
  (r.build.items as Bundle[]).flatMap((b) => [...b.objects]);

/** The one object of a kind (and name). */
export function find(r: HomelabRun, kind: string, name?: string): Any {
  const o = objectsOf(r).find((x) => x.kind === kind && (name === undefined || x.metadata.name === name));
  if (!o) throw new Error(`no ${kind}/${name ?? "*"}`);
  return o;
}

/** The first container of a controller. */
export const containerOf = (o: Any): Any => o.spec.template.spec.containers[0] as Any;

/** A container's env as name -> value or valueFrom. */
export const envOf = (c: Any): Record<string, unknown> =>
  Object.fromEntries(
    (c.env as Any[]).map((e): [string, unknown] => [e.name as string, e.value ?? e.valueFrom]),
  );

/** `{ secretKeyRef }` of an env value. */
export const secretRef = (name: string, key: string) => ({ secretKeyRef: { name, key } });

/** The Traefik Ingress an app gets on K3s: cert-manager TLS on `<host>.<domain>`. */
export function expectTraefikRoute(
  r: HomelabRun,
  app: string,
  port: number,
  host = app,
  extraAnnotations: Record<string, string> = {},
): void {
  const ingress = find(r, "Ingress", app);
  const fqdn = `${host}.${DOMAIN}`;
  expect(ingress.metadata.annotations).toEqual({
    "cert-manager.io/cluster-issuer": "letsencrypt-production",
    ...extraAnnotations,
  });
  expect(ingress.spec.ingressClassName).toBe("traefik");
  expect(ingress.spec.tls).toEqual([{ hosts: [fqdn], secretName: `${app}-tls` }]);
  expect(ingress.spec.rules).toEqual([
    {
      host: fqdn,
      http: {
        paths: [
          { path: "/", pathType: "Prefix", backend: { service: { name: app, port: { number: port } } } },
        ],
      },
    },
  ]);
}
