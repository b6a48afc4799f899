// Validates Kubernetes objects against the upstream schemas shipped by the
// kubernetes-models packages. Those packages are ES modules only, so this runs as its
// own Node process: objects arrive as a JSON array on stdin, one result per object
// leaves as JSON on stdout. Used by the offline synth and by the tests.
import { readFileSync } from "node:fs";

/** API group -> package holding its models (core groups live in kubernetes-models). */
const PACKAGES = {
  "argoproj.io": "@kubernetes-models/argo-cd",
  "cert-manager.io": "@kubernetes-models/cert-manager",
  "acme.cert-manager.io": "@kubernetes-models/cert-manager",
  "gateway.networking.k8s.io": "@kubernetes-models/gateway-api",
  "external-secrets.io": "@kubernetes-models/external-secrets",
  "generators.external-secrets.io": "@kubernetes-models/external-secrets",
  "monitoring.coreos.com": "@kubernetes-models/prometheus-operator",
  "bitnami.com": "@kubernetes-models/sealed-secrets",
  "networking.istio.io": "@kubernetes-models/istio",
  "security.istio.io": "@kubernetes-models/istio",
  "telemetry.istio.io": "@kubernetes-models/istio",
  "traefik.io": "@kubernetes-models/traefik",
  "helm.toolkit.fluxcd.io": "@kubernetes-models/flux-cd",
  "kustomize.toolkit.fluxcd.io": "@kubernetes-models/flux-cd",
  "source.toolkit.fluxcd.io": "@kubernetes-models/flux-cd",
  "notification.toolkit.fluxcd.io": "@kubernetes-models/flux-cd",
  "image.toolkit.fluxcd.io": "@kubernetes-models/flux-cd",
  "postgresql.cnpg.io": "@kubernetes-models/cloudnative-pg",
  "cilium.io": "@kubernetes-models/cilium",
};

/** The module that exports the model class of an apiVersion, or undefined. */
function moduleFor(apiVersion) {
  const slash = apiVersion.indexOf("/");
  if (slash < 0) return `kubernetes-models/${apiVersion}`;
  const group = apiVersion.slice(0, slash);
  if (PACKAGES[group]) return `${PACKAGES[group]}/${apiVersion}`;
  if (!group.includes(".") || group.endsWith(".k8s.io")) return `kubernetes-models/${apiVersion}`;
  return undefined;
}

async function validate(object) {
  const { apiVersion, kind } = object ?? {};
  const id = { apiVersion, kind, name: object?.metadata?.name, namespace: object?.metadata?.namespace };
  if (typeof apiVersion !== "string" || typeof kind !== "string") {
    return { ...id, status: "invalid", error: "apiVersion and kind must be strings" };
  }
  const specifier = moduleFor(apiVersion);
  let Model;
  if (specifier) {
    try {
      Model = (await import(specifier))[kind];
    } catch {
      Model = undefined;
    }
  }
  if (typeof Model !== "function") return { ...id, status: "unvalidated" };
  try {
    new Model(object).validate();
    return { ...id, status: "valid" };
  } catch (error) {
    return { ...id, status: "invalid", error: String(error?.message ?? error) };
  }
}

/** Reads stdin to its end without blocking the event loop (the preloads run meanwhile). */
async function readInput() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString("utf8");
}

const preload = process.argv.includes("--preload");
// The model modules of the kinds the program renders (schema-preload.json), imported while the
// caller is still making the objects (tools/schemas.ts startSchemaValidator).
const preloads = preload
  ? JSON.parse(readFileSync(new URL("./schema-preload.json", import.meta.url), "utf8"))
      .apiVersions.map((v) => moduleFor(v))
      .filter((m) => m !== undefined)
      .map((m) => import(m).catch(() => undefined))
  : [];
const input = process.argv.includes("--stdin-async") ? await readInput() : readFileSync(0, "utf8");
await Promise.all(preloads);
// An empty input: the caller stopped before it had objects (tools/schemas.ts close()).
const objects = input.trim() === "" ? [] : JSON.parse(input);
const results = [];
for (const object of objects) results.push(await validate(object));
process.stdout.write(JSON.stringify(results));
