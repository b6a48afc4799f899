/**
 * Containers and pods, secure by default: the Pod Security Standards "restricted" profile
 * (https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted):
 * runAsNonRoot, allowPrivilegeEscalation false, capabilities drop ALL, seccomp RuntimeDefault;
 * plus a read-only root filesystem and no service account token. Each opt-out names its
 * reason, which the object carries as an annotation.
 */
import type { JsonValue } from "../../gitops/delivery";
import type {
  AppSpec,
  ContainerSpec,
  EnvValue,
  ImageRef,
  LifecycleHandler,
  NodeRequirement,
  Placement,
  PodSpec,
  Probe,
} from "./types";

type Json = { [key: string]: JsonValue };

/** Annotation prefix of opt-outs: `security.platform.io/<container>.<field>: <reason>`. */
export const OPT_OUT_PREFIX = "security.platform.io/";

export function selectorLabels(app: string, controller: string): Record<string, string> {
  return { "app.kubernetes.io/name": app, "app.kubernetes.io/component": controller };
}

export function imageString(image: ImageRef): string {
  if (image.tag === "latest" || image.tag === "")
    throw new Error(`image ${image.repository}: tag "${image.tag}" is not pinned; set an exact tag`);
  if (image.digest !== undefined && !/^sha256:[0-9a-f]{64}$/.test(image.digest)) {
    throw new Error(`image ${image.repository}: digest "${image.digest}" must be sha256:<64 hex digits>`);
  }
  return `${image.repository}:${image.tag}${image.digest ? `@${image.digest}` : ""}`;
}

function probe(p: Probe): Json {
  const timing: Json = {};
  if (p.initialDelaySeconds !== undefined) timing.initialDelaySeconds = p.initialDelaySeconds;
  if (p.periodSeconds !== undefined) timing.periodSeconds = p.periodSeconds;
  if (p.failureThreshold !== undefined) timing.failureThreshold = p.failureThreshold;
  if ("http" in p) return { httpGet: { path: p.http, port: p.port }, ...timing };
  if ("tcp" in p) return { tcpSocket: { port: p.tcp }, ...timing };
  return { exec: { command: [...p.exec] }, ...timing };
}

function lifecycleHandler(h: LifecycleHandler): Json {
  if ("exec" in h) return { exec: { command: [...h.exec] } };
  if ("http" in h) return { httpGet: { path: h.http, port: h.port } };
  return { sleep: { seconds: h.sleepSeconds } };
}

function nodeRequirement(r: NodeRequirement): Json {
  const needsValues =
    r.operator === "In" || r.operator === "NotIn" || r.operator === "Gt" || r.operator === "Lt";
  if (needsValues !== (r.values !== undefined && r.values.length > 0))
    throw new Error(
      `node requirement ${r.key} ${r.operator}: ${needsValues ? "needs values" : "takes no values"} (core/v1 NodeSelectorRequirement)`,
    );
  return { key: r.key, operator: r.operator, ...(r.values ? { values: [...r.values] } : {}) };
}

/**
 * The pod-spec fields of a placement: nodeSelector, tolerations and `affinity.nodeAffinity`
 * (architectures become a required `kubernetes.io/arch In` requirement). `where` names the
 * spec field in errors.
 */
export function placementFields(placement: Placement | undefined, where: string): Json {
  if (!placement) return {};
  const required = [
    ...(placement.architectures?.length
      ? [{ key: "kubernetes.io/arch", operator: "In" as const, values: [...placement.architectures] }]
      : []),
    ...(placement.requiredNodeAffinity ?? []),
  ];
  for (const p of placement.preferredNodeAffinity ?? []) {
    if (!Number.isInteger(p.weight) || p.weight < 1 || p.weight > 100)
      throw new Error(`${where}.preferredNodeAffinity: weight ${p.weight} must be an integer from 1 to 100`);
  }
  for (const t of placement.tolerations ?? []) {
    if (t.operator === "Exists" && t.value !== undefined)
      throw new Error(`${where}.tolerations: ${t.key} has operator Exists and a value; drop the value`);
  }
  const nodeAffinity: Json = {
    ...(required.length
      ? {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchExpressions: required.map(nodeRequirement) }],
          },
        }
      : {}),
    ...(placement.preferredNodeAffinity?.length
      ? {
          preferredDuringSchedulingIgnoredDuringExecution: placement.preferredNodeAffinity.map((p) => ({
            weight: p.weight,
            preference: { matchExpressions: p.match.map(nodeRequirement) },
          })),
        }
      : {}),
  };
  return {
    ...(placement.nodeSelector && Object.keys(placement.nodeSelector).length
      ? { nodeSelector: { ...placement.nodeSelector } }
      : {}),
    ...(Object.keys(nodeAffinity).length ? { affinity: { nodeAffinity } } : {}),
    ...(placement.tolerations?.length
      ? {
          tolerations: placement.tolerations.map((t) => ({
            key: t.key,
            operator: t.operator ?? (t.value === undefined ? "Exists" : "Equal"),
            ...(t.value !== undefined ? { value: t.value } : {}),
            ...(t.effect ? { effect: t.effect } : {}),
          })),
        }
      : {}),
  };
}

/** Resolves a secret or ConfigMap reference of an app to the object's name. */
export interface NameResolvers {
  readonly secretName: (ref: string) => string;
  readonly configMapName: (ref: string) => string;
}

function envVar(name: string, value: EnvValue, names: NameResolvers): Json {
  if (typeof value === "string") return { name, value };
  if ("secret" in value)
    return { name, valueFrom: { secretKeyRef: { name: names.secretName(value.secret), key: value.key } } };
  return {
    name,
    valueFrom: { configMapKeyRef: { name: names.configMapName(value.configMap), key: value.key } },
  };
}

/** A volume name from a path or a name: DNS label, max 63 characters. */
export function volumeName(prefix: string, raw: string): string {
  const slug = raw
    .replace(/[^a-z0-9]+/gi, "-")
    .replace(/^-+|-+$/g, "")
    .toLowerCase();
  return `${prefix}-${slug}`.slice(0, 63).replace(/-+$/, "");
}

export interface RenderedContainer {
  readonly container: Json;
  readonly volumes: Json[];
  readonly annotations: Record<string, string>;
}

/** The restricted security context of one container, and an annotation per reasoned opt-out. */
function containerSecurity(
  where: string,
  name: string,
  spec: ContainerSpec,
): { securityContext: Json; annotations: Record<string, string> } {
  const annotations: Record<string, string> = {};
  const sec = spec.security ?? {};
  for (const [field, optOut] of Object.entries(sec) as [string, { reason: string } | undefined][]) {
    if (!optOut?.reason.trim()) throw new Error(`${where}: security.${field} opt-out needs a reason`);
    annotations[`${OPT_OUT_PREFIX}${name}.${field}`] = optOut.reason;
  }
  if (spec.runAsUser === 0 && !sec.runAsNonRoot)
    throw new Error(`${where}: runAsUser 0 is root; opt out with security.runAsNonRoot and a reason`);
  const securityContext: Json = {
    allowPrivilegeEscalation: sec.allowPrivilegeEscalation ? true : false,
    readOnlyRootFilesystem: sec.readOnlyRootFilesystem ? false : true,
    runAsNonRoot: sec.runAsNonRoot ? false : true,
    capabilities: { drop: ["ALL"], ...(sec.capabilities ? { add: [...sec.capabilities.add] } : {}) },
    seccompProfile: { type: "RuntimeDefault" },
  };
  if (spec.runAsUser !== undefined) {
    securityContext.runAsUser = spec.runAsUser;
    securityContext.runAsGroup = spec.runAsGroup ?? spec.runAsUser;
  }
  return { securityContext, annotations };
}

/** The emptyDirs of the writable paths, the volumes of `files`, and the container's mounts. */
function containerVolumes(
  name: string,
  spec: ContainerSpec,
  names: NameResolvers,
): { volumes: Json[]; volumeMounts: Json[] } {
  const volumes: Json[] = [];
  const volumeMounts: Json[] = [];
  for (const path of spec.writablePaths ?? []) {
    const vol = volumeName(`${name}-tmp`, path);
    volumes.push({ name: vol, emptyDir: {} });
    volumeMounts.push({ name: vol, mountPath: path });
  }
  for (const [path, file] of Object.entries(spec.files ?? {})) {
    const vol = volumeName(`${name}-file`, path);
    // With a mode, project only the mounted key, with that mode (core/v1 SecretVolumeSource
    // and ConfigMapVolumeSource `items` and `defaultMode`).
    const projection: Json =
      file.mode !== undefined ? { items: [{ key: file.key, path: file.key }], defaultMode: file.mode } : {};
    volumes.push(
      "secret" in file
        ? { name: vol, secret: { secretName: names.secretName(file.secret), ...projection } }
        : { name: vol, configMap: { name: names.configMapName(file.configMap), ...projection } },
    );
    volumeMounts.push({ name: vol, mountPath: path, subPath: file.key, readOnly: true });
  }
  for (const [path, persistence] of Object.entries(spec.mounts ?? {}))
    volumeMounts.push({ name: persistence, mountPath: path });
  return { volumes, volumeMounts };
}

/** One container with its restricted security context, its emptyDirs and file volumes. */
export function renderContainer(
  app: AppSpec,
  name: string,
  spec: ContainerSpec,
  extraEnv: Readonly<Record<string, EnvValue>>,
  names: NameResolvers,
): RenderedContainer {
  const { securityContext, annotations } = containerSecurity(
    `app "${app.name}" container "${name}"`,
    name,
    spec,
  );
  const { volumes, volumeMounts } = containerVolumes(name, spec, names);
  const env = { ...extraEnv, ...(spec.env ?? {}) };
  const resources = spec.resources;
  const container: Json = {
    name,
    image: imageString(spec.image),
    ...(spec.command ? { command: [...spec.command] } : {}),
    ...(spec.args ? { args: [...spec.args] } : {}),
    ...(spec.ports
      ? {
          ports: Object.entries(spec.ports).map(([n, p]) => ({ name: n, containerPort: p, protocol: "TCP" })),
        }
      : {}),
    ...(Object.keys(env).length ? { env: Object.entries(env).map(([k, v]) => envVar(k, v, names)) } : {}),
    ...(spec.envFromConfigMaps?.length
      ? { envFrom: spec.envFromConfigMaps.map((c) => ({ configMapRef: { name: names.configMapName(c) } })) }
      : {}),
    ...(spec.probes?.liveness ? { livenessProbe: probe(spec.probes.liveness) } : {}),
    ...(spec.probes?.readiness ? { readinessProbe: probe(spec.probes.readiness) } : {}),
    ...(spec.probes?.startup ? { startupProbe: probe(spec.probes.startup) } : {}),
    ...(spec.lifecycle
      ? {
          lifecycle: {
            ...(spec.lifecycle.postStart ? { postStart: lifecycleHandler(spec.lifecycle.postStart) } : {}),
            ...(spec.lifecycle.preStop ? { preStop: lifecycleHandler(spec.lifecycle.preStop) } : {}),
          },
        }
      : {}),
    resources: {
      requests: { cpu: resources.cpu, memory: resources.memory },
      limits: { memory: resources.memoryLimit ?? resources.memory },
    },
    securityContext,
    ...(volumeMounts.length ? { volumeMounts } : {}),
  };
  return { container, volumes, annotations };
}

export interface RenderedPod {
  readonly spec: Json;
  readonly annotations: Record<string, string>;
}

/** The pod spec of one controller: containers, init containers, native sidecars, volumes. */
export function renderPod(
  app: AppSpec,
  pod: PodSpec,
  extraEnv: Readonly<Record<string, EnvValue>>,
  names: NameResolvers,
  podVolumes: Json[],
  restartPolicy?: "Never" | "OnFailure",
): RenderedPod {
  const annotations: Record<string, string> = {};
  const volumes: Json[] = [...podVolumes];
  const render = (entries: Readonly<Record<string, ContainerSpec>> | undefined, sidecar: boolean): Json[] =>
    Object.entries(entries ?? {}).map(([name, spec]) => {
      const r = renderContainer(app, name, spec, extraEnv, names);
      Object.assign(annotations, r.annotations);
      volumes.push(...r.volumes);
      return sidecar ? { ...r.container, restartPolicy: "Always" } : r.container;
    });
  const init = [...render(pod.initContainers, false), ...render(pod.sidecars, true)];
  const containers = render(pod.containers, false);
  if (containers.length === 0)
    throw new Error(`app "${app.name}": a controller needs at least one container`);
  if (pod.serviceAccountToken) {
    if (!pod.serviceAccountToken.reason.trim())
      throw new Error(`app "${app.name}": serviceAccountToken opt-out needs a reason`);
    annotations[`${OPT_OUT_PREFIX}pod.automountServiceAccountToken`] = pod.serviceAccountToken.reason;
  }
  // Volumes a non-root user must write (PVCs) belong to its group.
  const owner = Object.values(pod.containers).find(
    (c) => c.runAsUser !== undefined && Object.keys(c.mounts ?? {}).length > 0,
  );
  const fsGroup = owner ? (owner.runAsGroup ?? owner.runAsUser) : undefined;
  const spec: Json = {
    automountServiceAccountToken: pod.serviceAccountToken ? true : false,
    securityContext: {
      runAsNonRoot: [pod.containers, pod.initContainers ?? {}, pod.sidecars ?? {}].every((g) =>
        Object.values(g).every((c) => !c.security?.runAsNonRoot),
      ),
      seccompProfile: { type: "RuntimeDefault" },
      ...(fsGroup !== undefined ? { fsGroup } : {}),
      ...(pod.supplementalGroups?.length ? { supplementalGroups: [...pod.supplementalGroups] } : {}),
    },
    ...placementFields(pod.placement ?? app.placement, `app "${app.name}" placement`),
    ...(app.imagePullSecret ? { imagePullSecrets: [{ name: app.imagePullSecret }] } : {}),
    ...(app.priorityClassName ? { priorityClassName: app.priorityClassName } : {}),
    ...(restartPolicy ? { restartPolicy } : {}),
    ...(init.length ? { initContainers: init } : {}),
    containers,
    ...(volumes.length ? { volumes } : {}),
  };
  return { spec, annotations };
}
