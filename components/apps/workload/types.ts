/**
 * The typed app spec (STYLE.md "Workloads"): controllers -> containers -> image/env/probes,
 * service, route, persistence, as in bjw-s app-template values files
 * (bjw-s-labs/helm-charts, examples/helm/*\/values.yaml), plus the wiring app-template leaves
 * to the user: secret, database and cache claims, exposure chosen by the cluster, network policy.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { DeliveryItem, JsonValue, LiveSecret } from "../../gitops/delivery";

/** An image reference; a digest pins it beyond the tag. Never `latest`. */
export type { ImageRef } from "../../../lib/image-ref";
import type { ImageRef } from "../../../lib/image-ref";
import type { PasswordParent } from "../../../lib/generated-password";

/** One rule of a NetworkPolicy's `egress` (networking.k8s.io/v1 `NetworkPolicyEgressRule`). */
export type NetworkPolicyEgressRule = { readonly [key: string]: JsonValue };

/**
 * When a probe runs and when it fails; an unset field is left out, so the Kubernetes default holds.
 * @see https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#Probe
 */
export interface ProbeTiming {
  /** Seconds after the container starts before the first probe. @default 0 (Kubernetes) */
  readonly initialDelaySeconds?: number;
  /** Seconds between two probes. @default 10 (Kubernetes) */
  readonly periodSeconds?: number;
  /** Failures in a row after which the probe counts as failed. @default 3 (Kubernetes) */
  readonly failureThreshold?: number;
}

/** An HTTP GET, a TCP connect or a command probe. `port` is a port name of the container. */
export type Probe = (
  | { readonly http: string; readonly port: string }
  | { readonly tcp: string }
  | { readonly exec: readonly string[] }
) &
  ProbeTiming;

/** An env value: a literal, a key of one of the app's secrets, or a ConfigMap key. */
export type EnvValue =
  | string
  | { readonly secret: string; readonly key: string }
  | { readonly configMap: string; readonly key: string };

/** An explicit exception to the restricted defaults; the reason lands in an annotation. */
export interface OptOut {
  readonly reason: string;
}

/** The restricted defaults a container may opt out of, one field at a time. */
export interface SecurityOptOuts {
  /** Let the container run as root (UID 0). @default not opted out: `runAsNonRoot: true` */
  readonly runAsNonRoot?: OptOut;
  /** A writable root filesystem. @default not opted out: read-only, `writablePaths` as emptyDirs */
  readonly readOnlyRootFilesystem?: OptOut;
  /** Allow setuid binaries to raise privileges. @default not opted out: `allowPrivilegeEscalation: false` */
  readonly allowPrivilegeEscalation?: OptOut;
  /** Add these capabilities back after dropping ALL. @default not opted out: every capability dropped */
  readonly capabilities?: OptOut & { readonly add: readonly string[] };
}

export interface Resources {
  readonly cpu: string;
  readonly memory: string;
  /** @default the request */
  readonly memoryLimit?: string;
}

export interface ContainerSpec {
  readonly image: ImageRef;
  /** Replaces the image's entrypoint. @default the image's ENTRYPOINT */
  readonly command?: readonly string[];
  /** Replaces the image's arguments. @default the image's CMD */
  readonly args?: readonly string[];
  /** Port name -> container port. @default none */
  readonly ports?: Readonly<Record<string, number>>;
  /** Env vars, after those the claims wire (so values may use `$(VAR)` of them). @default none */
  readonly env?: Readonly<Record<string, EnvValue>>;
  /** Whole ConfigMaps as env groups. @default none */
  readonly envFromConfigMaps?: readonly string[];
  /** The container's probes. @default none */
  readonly probes?: {
    /** Restarts the container when it fails. @default none */
    readonly liveness?: Probe;
    /** Takes the pod out of its Services while it fails. @default none */
    readonly readiness?: Probe;
    /** Holds the other probes back until it succeeds once (slow starts). @default none */
    readonly startup?: Probe;
  };
  readonly resources: Resources;
  /** Paths the app writes; each gets an emptyDir (the root filesystem is read-only). @default none */
  readonly writablePaths?: readonly string[];
  /**
   * Files: mount path -> a ConfigMap key, or a key of one of the app's secrets (a secret
   * reference as in `env`: own secret, `<app>/<secret>`, or the database Secret).
   * @default none
   */
  readonly files?: Readonly<
    Record<
      string,
      (
        | { readonly configMap: string; readonly key: string }
        | { readonly secret: string; readonly key: string }
      ) & {
        /**
         * File mode (octal, e.g. 0o400): the volume projects only this key (`items`) with
         * this `defaultMode`. @default the volume's default (0644), all keys projected
         */
        readonly mode?: number;
      }
    >
  >;
  /** Mount path -> persistence (or volume claim template) name. @default none */
  readonly mounts?: Readonly<Record<string, string>>;
  /**
   * UID the image runs as (must be non-zero unless `security.runAsNonRoot` is opted out).
   * @default the image's USER (which `runAsNonRoot` requires to be non-root)
   */
  readonly runAsUser?: number;
  /** @default `runAsUser` */
  readonly runAsGroup?: number;
  /** Explicit exceptions to the restricted defaults, each with its reason. @default none */
  readonly security?: SecurityOptOuts;
  /**
   * Lifecycle hooks: `postStart` runs right after the container starts, `preStop` before it is
   * stopped (within the grace period), e.g. a short sleep so endpoints drain first.
   * @default none
   * @see https://kubernetes.io/docs/concepts/containers/container-lifecycle-hooks/
   */
  readonly lifecycle?: {
    /** Runs right after the container starts. @default none */
    readonly postStart?: LifecycleHandler;
    /** Runs before the container is stopped. @default none */
    readonly preStop?: LifecycleHandler;
  };
}

/**
 * A lifecycle hook handler: a command, an HTTP GET on a container port name, or a sleep
 * (the `sleep` action, on by default since Kubernetes 1.30).
 */
export type LifecycleHandler =
  | { readonly exec: readonly string[] }
  | { readonly http: string; readonly port: string }
  | { readonly sleepSeconds: number };

/**
 * A toleration of a node taint (core/v1 `Toleration`).
 * @see https://kubernetes.io/docs/concepts/scheduling-eviction/taint-and-toleration/
 */
export interface Toleration {
  readonly key: string;
  /** @default "Equal" with a `value`, "Exists" without */
  readonly operator?: "Equal" | "Exists";
  /** @default none */
  readonly value?: string;
  /** @default every effect */
  readonly effect?: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
}

/** One node-selector requirement (core/v1 `NodeSelectorRequirement`). */
export interface NodeRequirement {
  readonly key: string;
  readonly operator: "In" | "NotIn" | "Exists" | "DoesNotExist" | "Gt" | "Lt";
  /** Required for In, NotIn, Gt and Lt; absent for Exists and DoesNotExist. @default none */
  readonly values?: readonly string[];
}

/**
 * Where a pod may run: node labels, architectures, node affinity and taints it tolerates.
 * @see https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/
 */
export interface Placement {
  /** Labels a node must carry (`nodeSelector`). @default none */
  readonly nodeSelector?: Readonly<Record<string, string>>;
  /** CPU architectures the pod may run on: a required `kubernetes.io/arch In` term. @default any */
  readonly architectures?: readonly ("amd64" | "arm64")[];
  /** Further required node-affinity requirements, ANDed with `architectures`. @default none */
  readonly requiredNodeAffinity?: readonly NodeRequirement[];
  /** Preferred node-affinity terms, weight 1-100. @default none */
  readonly preferredNodeAffinity?: readonly {
    readonly weight: number;
    readonly match: readonly NodeRequirement[];
  }[];
  /** Node taints the pod tolerates. @default none */
  readonly tolerations?: readonly Toleration[];
}

/** Pod-level fields shared by every controller type. */
export interface PodSpec {
  /**
   * Where this controller's pods may run; replaces the app's `placement` as a whole.
   * @default the app's `placement`
   */
  readonly placement?: Placement;
  /** Extra groups for every container's processes (`securityContext.supplementalGroups`). @default none */
  readonly supplementalGroups?: readonly number[];
  /** The main containers by name. */
  readonly containers: Readonly<Record<string, ContainerSpec>>;
  /** Run to completion before the main containers, in order. @default none */
  readonly initContainers?: Readonly<Record<string, ContainerSpec>>;
  /** Native sidecars (init containers with `restartPolicy: Always`, Kubernetes >= 1.29). @default none */
  readonly sidecars?: Readonly<Record<string, ContainerSpec>>;
  /** Opt out of not mounting the service account token. @default not opted out: no token mounted */
  readonly serviceAccountToken?: OptOut;
}

/** One `HPAScalingPolicy`: change by `value` pods or percent per `periodSeconds`. */
export interface ScalingPolicy {
  readonly type: "Pods" | "Percent";
  readonly value: number;
  readonly periodSeconds: number;
}

export interface ScalingRules {
  readonly stabilizationSeconds: number;
  readonly policies: readonly ScalingPolicy[];
}

/** One Pods or External metric of an HPA (see {@link Autoscaling.custom}). */
export type CustomMetric = {
  readonly type: "Pods" | "External";
  readonly metric: string;
  /** Label selector of the metric's series. @default none */
  readonly selector?: Readonly<Record<string, string>>;
} & ({ readonly averageValue: string } | { readonly value: string });

export interface Autoscaling {
  readonly min: number;
  readonly max: number;
  /** Target average CPU utilisation, percent of the request. @default none (no CPU metric) */
  readonly cpu?: number;
  /** Target average memory utilisation, percent of the request. @default none (no memory metric) */
  readonly memory?: number;
  /**
   * Pods or External metrics: an `averageValue` target (per pod), or for External metrics a
   * `value` target (the metric as a whole, e.g. a p95 latency), optionally selecting series by
   * labels (`metric.selector.matchLabels`).
   * @default none
   * @see https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/horizontal-pod-autoscaler-v2/
   */
  readonly custom?: readonly CustomMetric[];
  /**
   * Scale-up and scale-down behaviour, kept separate (scale down slowly): a stabilization
   * window and the policies of autoscaling/v2 `HPAScalingRules`.
   * @default up: 0 s window, +4 pods / 60 s; down: 300 s window, -50 % / 60 s
   */
  readonly scaleUp?: ScalingRules;
  /** Scale-down behaviour (see `scaleUp`). @default 300 s window, -50 % / 60 s */
  readonly scaleDown?: ScalingRules;
}

export type Controller =
  | (PodSpec & {
      readonly type: "deployment";
      /** Fixed replica count (ignored with `autoscaling`). @default 1 */
      readonly replicas?: number;
      /** A HorizontalPodAutoscaler owns the replica count. @default none (fixed `replicas`) */
      readonly autoscaling?: Autoscaling;
      /**
       * How a new revision replaces the old pods. RollingUpdate starts new pods first, which a
       * ReadWriteOnce volume cannot serve on another node (Multi-Attach), so a rollout would
       * hang; RollingUpdate with such a volume is refused unless `maxSurge` is 0.
       * @default "Recreate" when a container mounts a ReadWriteOnce volume, else RollingUpdate
       * (25 % surge and unavailability, the API default)
       * @see https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#strategy
       */
      readonly strategy?:
        | { readonly type: "Recreate" }
        | {
            readonly type: "RollingUpdate";
            /** Pods above the desired count during a rollout. @default "25%" (Kubernetes) */
            readonly maxSurge?: number | string;
            /** Pods below the desired count during a rollout. @default "25%" (Kubernetes) */
            readonly maxUnavailable?: number | string;
          };
    })
  | (PodSpec & {
      readonly type: "statefulset";
      /** @default 1 */
      readonly replicas?: number;
      /** Name -> claim template; mount it through a container's `mounts`. */
      readonly volumeClaimTemplates: Readonly<
        Record<
          string,
          {
            readonly size: string;
            /** @default the cluster's default StorageClass */
            readonly storageClass?: string;
          }
        >
      >;
      /**
       * Database-like stores belong to the `base` phase, before migrations and workloads.
       * @default "workloads"
       */
      readonly phase?: "base" | "workloads";
    })
  | (PodSpec & {
      readonly type: "cronjob";
      readonly schedule: string;
      /** IANA time zone of `schedule`. @default the kube-controller-manager's time zone */
      readonly timeZone?: string;
      /**
       * What a run does when the previous one is still running: skip it (`Forbid`), stop the
       * previous one (`Replace`) or run both (`Allow`).
       * @default "Forbid"
       * @see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#concurrency-policy
       */
      readonly concurrencyPolicy?: "Allow" | "Forbid" | "Replace";
    })
  /** A migration Job, applied before the app's workloads (phase `migrations`). */
  | (PodSpec & {
      readonly type: "migration";
      /** Retries before the Job fails. @default 3 */
      readonly backoffLimit?: number;
    });

/** Where a secret's values come from; none of them ever reaches git or a plan in plaintext. */
export type SecretSource =
  /**
   * Random values (`@pulumi/random`), stable across runs, applied live. `bcrypt: true` also
   * publishes `<key>Bcrypt`, the bcrypt hash of the value (RandomPassword `bcryptHash`), for
   * servers that store only a hash (NATS); it cannot be combined with `prefix`.
   */
  | {
      readonly type: "generated";
      readonly keys: Readonly<
        Record<
          string,
          {
            readonly length: number;
            /** Prepended to the random value (e.g. a token's `sk-`). @default none */
            readonly prefix?: string;
            /** Also publish `<key>Bcrypt`, the bcrypt hash. @default false */
            readonly bcrypt?: boolean;
          }
        >
      >;
      /**
       * Makes the Secret a `kubernetes.io/basic-auth` one with this `username` beside the
       * generated `password` (its only key), the form Traefik's basicAuth reads. @default none
       */
      readonly basicAuthUser?: string;
    }
  /** Encrypted stack config (secret key name, handed over in `secrets`), applied live. */
  | { readonly type: "config"; readonly keys: Readonly<Record<string, string>> }
  /** An ExternalSecret against a ClusterSecretStore (Bitwarden, Vault, 1Password). */
  | {
      readonly type: "external";
      readonly store: string;
      readonly keys: Readonly<
        Record<
          string,
          {
            readonly remoteKey: string;
            /** A property of the remote secret. @default the remote secret's whole value */
            readonly property?: string;
          }
        >
      >;
      /** @default "1h" */
      readonly refreshInterval?: string;
    }
  /** A OnePasswordItem (1Password Connect operator); `itemPath` is `vaults/<vault>/items/<item>`. */
  | { readonly type: "onepassword"; readonly itemPath: string };

export type Persistence =
  | {
      readonly type: "pvc";
      readonly size: string;
      /** @default the cluster's default StorageClass */
      readonly storageClass?: string;
      /** @default "ReadWriteOnce" */
      readonly accessMode?: "ReadWriteOnce" | "ReadWriteMany";
    }
  | {
      readonly type: "nfs";
      readonly server: string;
      readonly path: string;
      /** Mount the share read-only (`ReadOnlyMany`). @default false */
      readonly readOnly?: boolean;
    }
  /**
   * Scratch space shared by the containers of one pod (an init container writing a file the
   * main container reads); `Memory` keeps it off the node's disk.
   */
  | {
      readonly type: "emptyDir";
      /** `Memory`: a tmpfs. @default the node's disk */
      readonly medium?: "Memory";
      /** @default no limit */
      readonly sizeLimit?: string;
    }
  /**
   * An existing Secret as a directory (read-only; the kubelet updates its files when the Secret
   * changes, which a `files` subPath mount never sees), e.g. a CA that rotates.
   */
  | {
      readonly type: "secret";
      /** The Secret's object name. */
      readonly secretName: string;
      /** Keys to project, each as a file of its name. @default every key */
      readonly items?: readonly string[];
      /** File mode (octal). @default 0644 */
      readonly mode?: number;
    };

/** A Service in front of one controller's pods. */
export interface ServiceSpec {
  /** @default the controller named like the app */
  readonly controller?: string;
  /** Port name (a container port name of the controller) -> service port. */
  readonly ports: Readonly<Record<string, number>>;
  /** NodePort only where the spec says so: port name -> node port. @default none */
  readonly nodePorts?: Readonly<Record<string, number>>;
  /** A headless Service (`clusterIP: None`) for peer discovery. @default false */
  readonly headless?: boolean;
}

/** An app this app talks to in its namespace (egress), or that talks to it (ingress). */
export interface Peer {
  readonly app: string;
  readonly port: number;
}

export interface AppSpec {
  /** DNS label; names the item, the objects and the generated secrets. */
  readonly name: string;
  readonly controllers: Readonly<Record<string, Controller>>;
  /** The Service in front of the controller named `controller`. @default none */
  readonly service?: ServiceSpec;
  /**
   * Further Services, each named `<app>-<key>` (e.g. a second controller's, or a headless
   * one for peers). @default none
   */
  readonly extraServices?: Readonly<Record<string, ServiceSpec>>;
  /** Where every controller's pods may run (a controller's own `placement` replaces it). @default anywhere */
  readonly placement?: Placement;
  /**
   * Source ranges a NodePort admits. Traffic that kube-proxy forwards between nodes arrives
   * from a node address, so this limits who reaches the port, it does not authenticate.
   * @default the RFC 1918 private ranges
   */
  readonly nodePortSources?: readonly string[];
  /**
   * Public route on `<host>.<cluster domain>` to a service port; `aliases` are further hosts
   * (labels or full names) the same route serves, e.g. a sandbox origin.
   * @default none (not routed)
   */
  readonly route?: {
    readonly host: string;
    readonly port: string;
    /** Path prefix the route matches. @default "/" */
    readonly path?: string;
    /**
     * Further hosts of the same route. General, not one app's: every exposure kind renders
     * them as further hostnames of the one route (and of its certificate where it issues one).
     * @default none
     */
    readonly aliases?: readonly string[];
    /**
     * Traefik Middlewares (in the app's namespace) the route passes through, e.g. a basicAuth.
     * Only the `traefik` ingress has them. @default none
     */
    readonly middlewares?: readonly string[];
  };
  /** Volumes by name, mounted through a container's `mounts`. @default none */
  readonly persistence?: Readonly<Record<string, Persistence>>;
  /**
   * ConfigMaps the app owns: name -> key -> content, each rendered as `<app>-<name>`. Env
   * groups (`envFromConfigMaps`), ConfigMap env values and `files` name them by `<name>`
   * (any other name is an existing ConfigMap). Pods carry a checksum of them, so a change
   * rolls the pods.
   * @default none
   */
  readonly configMaps?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** The app's secrets by name, each rendered as `<app>-<name>`. @default none */
  readonly secrets?: Readonly<Record<string, SecretSource>>;
  /**
   * A database on the cluster's CloudNativePG cluster; wires `DATABASE_URL` into every container.
   * With `owner`, the app shares the claim of that app of the same namespace (its role,
   * database and `postgres-<owner>-user` Secret) instead of claiming its own.
   * @default none
   */
  readonly database?: DatabaseRequest;
  /** A cache (Valkey/Redis) app in the same namespace; wires `REDIS_HOST`/`REDIS_PORT`. @default none */
  readonly cache?: Peer;
  /** Apps of the namespace the app calls (egress to their pods on the port). @default none */
  readonly talksTo?: readonly Peer[];
  /** Apps of the namespace that call it (ingress on its service ports). @default none */
  readonly calledBy?: readonly string[];
  /** Egress to addresses outside the cluster on these TCP ports (e.g. [443] for a public API). @default none */
  readonly internetEgress?: readonly number[];
  /**
   * Further egress rules of the app's NetworkPolicy, as written, after the ones the spec
   * derives: the escape hatch (as app-template's `rawResource`) for a need only one app has,
   * e.g. an admin UI reaching database clusters of other namespaces.
   * @default none
   * @see https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/#NetworkPolicySpec
   */
  readonly extraEgress?: readonly NetworkPolicyEgressRule[];
  /** Metrics scrape on a service port. @default none */
  readonly metrics?: {
    readonly port: string;
    /** @default "/metrics" */
    readonly path?: string;
  };
  /** PriorityClass of every pod of the app. @default none (the cluster's default priority) */
  readonly priorityClassName?: string;
  /** Image pull secret (an existing or live-applied Secret). @default none */
  readonly imagePullSecret?: string;
  /** Items that must be ready first; the composition adds the namespace and database items. @default none */
  readonly dependsOn?: readonly string[];
  /**
   * Istio sidecar mesh (the namespace must have injection on): STRICT mTLS for the app's pods
   * (PeerAuthentication), ISTIO_MUTUAL to its Service (DestinationRule) and, with `jwt`,
   * tokens validated (RequestAuthentication) and required on the service ports
   * (AuthorizationPolicy). The metrics port stays plaintext for the scraper outside the mesh.
   * @default none (not in the mesh)
   */
  readonly mesh?: {
    /** Require a valid JWT of this issuer on the service ports. @default none */
    readonly jwt?: {
      readonly issuer: string;
      readonly jwksUri: string;
      /** Accepted `aud` values. @default any audience */
      readonly audiences?: readonly string[];
    };
  };
}

/** How the cluster exposes HTTP, resolved by the composition. */
export type ExposureTarget =
  | { readonly kind: "gateway-api"; readonly gateway: { readonly name: string; readonly namespace: string } }
  | {
      readonly kind: "traefik";
      readonly clusterIssuer: string;
      readonly ingressClassName: string;
      readonly namespace: string;
    }
  /**
   * Istio: the app's Gateway lives in the ingress gateway's namespace and selects the gateway
   * pods by `selector`; its TLS Secret (`credentialName`) must be in that namespace too, so the
   * app's cert-manager Certificate is issued there by `clusterIssuer`.
   */
  | {
      readonly kind: "istio";
      readonly namespace: string;
      readonly selector: Readonly<Record<string, string>>;
      readonly clusterIssuer: string;
    };

/** The cluster's monitoring stack: which scrape object to emit, and where scrapes come from. */
export type Monitoring =
  | { readonly kind: "prometheus-operator" | "victoria-metrics"; readonly namespace: string }
  | { readonly kind: "none" };

/** Where the mesh's sidecars export spans (the istio service's `tracing`), for their egress. */
export interface MeshTracing {
  /** The collector's namespace. */
  readonly namespace: string;
  /** Its OTLP/gRPC port. */
  readonly port: number;
}

/** Everything the workload component needs besides the specs. */
export interface WorkloadContext {
  readonly cluster: string;
  readonly domain: string;
  readonly namespace: string;
  readonly exposure: ExposureTarget;
  readonly monitoring: Monitoring;
  readonly defaultStorageClass: string;
  readonly storageClasses: readonly string[];
  /** Secret config values (only for `config` secret sources). */
  readonly secrets: Readonly<Record<string, pulumi.Output<string>>>;
  /** Parent for generated passwords (`DRY_RUN` in the preflight's dry pass: none registered). */
  readonly parent: PasswordParent;
  /**
   * The collector mesh apps' sidecars export spans to, when the cluster's istio service
   * traces. @default none (no tracing egress)
   */
  readonly meshTracing?: MeshTracing;
  /**
   * Specs of other apps in the same namespace (built by other catalog apps), only to resolve
   * `<app>/<secret>` references to their secrets. @default none
   */
  readonly peers?: readonly AppSpec[];
}

/**
 * Env var names for the parts of the database connection, for images that take host, port,
 * name, user and password apart rather than one URL (linkding's `LD_DB_*`, a JDBC URL built
 * with `$(VAR)` references). Each one named is wired; the others are left out. A general
 * feature of the shared spec, not one app's: every image that takes the parts needs it (three
 * apps today), and only the workload component knows the Secret and Service names to wire.
 */
export interface DatabaseConnectionEnv {
  /** Gets `<cluster>-rw.<namespace>.svc`, the primary's Service. @default not wired */
  readonly host?: string;
  /** Gets `5432`. @default not wired */
  readonly port?: string;
  /** Gets the database name. @default not wired */
  readonly name?: string;
  /** Gets key `username` of the `postgres-<app>-user` Secret. @default not wired */
  readonly user?: string;
  /** Gets key `password` of the `postgres-<app>-user` Secret. @default not wired */
  readonly password?: string;
}

/** What an app asks of its database; all but `cluster` are optional. */
export interface DatabaseRequest {
  /** The database cluster (one CloudNativePG `Cluster` per name and namespace). */
  readonly cluster: string;
  /**
   * The database cluster's namespace, when it is not the app's (a shared cluster,
   * `serviceSettings.cloudnative-pg.sharedCluster`, which the composition sets).
   * @default the app's namespace
   */
  readonly namespace?: string;
  /** @default the app's name */
  readonly name?: string;
  /**
   * The env var that gets the connection URI.
   * @default "DATABASE_URL", or none when `connectionEnv` names the parts
   */
  readonly env?: string;
  /**
   * Env vars for the connection's parts, set before the container's own env so that its
   * values can refer to them as `$(VAR)`
   * (https://kubernetes.io/docs/tasks/inject-data-application/define-interdependent-environment-variables/).
   * @default none
   */
  readonly connectionEnv?: DatabaseConnectionEnv;
  /** @default the app itself claims the database */
  readonly owner?: string;
  /**
   * Extensions created in the app's database by the CloudNativePG `Database` (declarative
   * extensions, CNPG >= 1.26, docs "PostgreSQL Database management"), in order.
   * @default none
   */
  readonly extensions?: readonly string[];
  /**
   * Verify the server's certificate against the cluster's CA: every container gets `ca.crt` of
   * the CloudNativePG `<cluster>-ca` Secret (that key only) and the URI `sslmode=verify-ca`.
   * @default false (`sslmode=require`: encrypted, server not verified)
   */
  readonly verifyCa?: boolean;
  /**
   * PriorityClass of the database cluster's instance pods (e.g. a stateful tier above the
   * app's own). @default none
   */
  readonly priorityClassName?: string;
  /** An operand image with extensions the default image lacks. @default the cluster's image */
  readonly imageName?: string;
  /** Libraries the extensions need preloaded (`postgresql.shared_preload_libraries`). @default none */
  readonly sharedPreloadLibraries?: readonly string[];
}

/** One CloudNativePG cluster, by namespace and name. */
export interface DatabaseRef {
  readonly namespace: string;
  readonly cluster: string;
}

export interface DatabaseClaim extends Omit<
  DatabaseRequest,
  "name" | "env" | "connectionEnv" | "owner" | "namespace"
> {
  readonly app: string;
  readonly database: string;
  readonly cluster: string;
  /** The claiming app's namespace. */
  readonly namespace: string;
  /** The database cluster's namespace, when it is not the app's. @default the app's namespace */
  readonly clusterNamespace?: string;
}

export interface WorkloadBuild {
  readonly items: readonly DeliveryItem[];
  readonly liveSecrets: readonly LiveSecret[];
  readonly databaseClaims: readonly DatabaseClaim[];
}
