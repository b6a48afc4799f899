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

/** One rule of a NetworkPolicy's `egress` (networking.k8s.io/v1 `NetworkPolicyEgressRule`). */
export type NetworkPolicyEgressRule = { readonly [key: string]: JsonValue };

/** An HTTP GET, a TCP connect or a command probe. `port` is a port name of the container. */
export type Probe =
  | {
      readonly http: string;
      readonly port: string;
      readonly initialDelaySeconds?: number;
      readonly periodSeconds?: number;
      readonly failureThreshold?: number;
    }
  | {
      readonly tcp: string;
      readonly initialDelaySeconds?: number;
      readonly periodSeconds?: number;
      readonly failureThreshold?: number;
    }
  | {
      readonly exec: readonly string[];
      readonly initialDelaySeconds?: number;
      readonly periodSeconds?: number;
      readonly failureThreshold?: number;
    };

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
  readonly runAsNonRoot?: OptOut;
  readonly readOnlyRootFilesystem?: OptOut;
  readonly allowPrivilegeEscalation?: OptOut;
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
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  /** Port name -> container port. */
  readonly ports?: Readonly<Record<string, number>>;
  readonly env?: Readonly<Record<string, EnvValue>>;
  /** Whole ConfigMaps as env groups. */
  readonly envFromConfigMaps?: readonly string[];
  readonly probes?: { readonly liveness?: Probe; readonly readiness?: Probe; readonly startup?: Probe };
  readonly resources: Resources;
  /** Paths the app writes; each gets an emptyDir (the root filesystem is read-only). */
  readonly writablePaths?: readonly string[];
  /**
   * Files: mount path -> a ConfigMap key, or a key of one of the app's secrets (a secret
   * reference as in `env`: own secret, `<app>/<secret>`, or the database Secret).
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
  /** Mount path -> persistence (or volume claim template) name. */
  readonly mounts?: Readonly<Record<string, string>>;
  /** UID/GID the image runs as (must be non-zero unless `security.runAsNonRoot` is opted out). */
  readonly runAsUser?: number;
  /** @default `runAsUser` */
  readonly runAsGroup?: number;
  readonly security?: SecurityOptOuts;
  /**
   * Lifecycle hooks: `postStart` runs right after the container starts, `preStop` before it is
   * stopped (within the grace period), e.g. a short sleep so endpoints drain first.
   * @default none
   * @see https://kubernetes.io/docs/concepts/containers/container-lifecycle-hooks/
   */
  readonly lifecycle?: { readonly postStart?: LifecycleHandler; readonly preStop?: LifecycleHandler };
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
  /** Run to completion before the main containers, in order. */
  readonly initContainers?: Readonly<Record<string, ContainerSpec>>;
  /** Native sidecars (init containers with `restartPolicy: Always`, Kubernetes >= 1.29). */
  readonly sidecars?: Readonly<Record<string, ContainerSpec>>;
  /** Opt out of not mounting the service account token. */
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
  /** Target average CPU / memory utilisation, percent. */
  readonly cpu?: number;
  readonly memory?: number;
  /**
   * Pods or External metrics: an `averageValue` target (per pod), or for External metrics a
   * `value` target (the metric as a whole, e.g. a p95 latency), optionally selecting series by
   * labels (`metric.selector.matchLabels`).
   * @see https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/horizontal-pod-autoscaler-v2/
   */
  readonly custom?: readonly CustomMetric[];
  /**
   * Scale-up and scale-down behaviour, kept separate (scale down slowly): a stabilization
   * window and the policies of autoscaling/v2 `HPAScalingRules`.
   * @default up: 0 s window, +4 pods / 60 s; down: 300 s window, -50 % / 60 s
   */
  readonly scaleUp?: ScalingRules;
  readonly scaleDown?: ScalingRules;
}

export type Controller =
  | (PodSpec & {
      readonly type: "deployment";
      readonly replicas?: number;
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
            readonly maxSurge?: number | string;
            readonly maxUnavailable?: number | string;
          };
    })
  | (PodSpec & {
      readonly type: "statefulset";
      readonly replicas?: number;
      /** Name -> claim template; mount it through a container's `mounts`. */
      readonly volumeClaimTemplates: Readonly<
        Record<string, { readonly size: string; readonly storageClass?: string }>
      >;
      /** Database-like stores belong to the `base` phase, before migrations and workloads. */
      readonly phase?: "base" | "workloads";
    })
  | (PodSpec & {
      readonly type: "cronjob";
      readonly schedule: string;
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
  | (PodSpec & { readonly type: "migration"; readonly backoffLimit?: number });

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
        Record<string, { readonly length: number; readonly prefix?: string; readonly bcrypt?: boolean }>
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
      readonly keys: Readonly<Record<string, { readonly remoteKey: string; readonly property?: string }>>;
      /** @default "1h" */
      readonly refreshInterval?: string;
    }
  /** A OnePasswordItem (1Password Connect operator); `itemPath` is `vaults/<vault>/items/<item>`. */
  | { readonly type: "onepassword"; readonly itemPath: string };

export type Persistence =
  | {
      readonly type: "pvc";
      readonly size: string;
      readonly storageClass?: string;
      readonly accessMode?: "ReadWriteOnce" | "ReadWriteMany";
    }
  | { readonly type: "nfs"; readonly server: string; readonly path: string; readonly readOnly?: boolean }
  /**
   * Scratch space shared by the containers of one pod (an init container writing a file the
   * main container reads); `Memory` keeps it off the node's disk.
   */
  | { readonly type: "emptyDir"; readonly medium?: "Memory"; readonly sizeLimit?: string }
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
  /** The Service in front of the controller named `controller` (default: the app's name). */
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
   */
  readonly route?: {
    readonly host: string;
    readonly port: string;
    readonly path?: string;
    /** @default none */
    readonly aliases?: readonly string[];
    /**
     * Traefik Middlewares (in the app's namespace) the route passes through, e.g. a basicAuth.
     * Only the `traefik` ingress has them. @default none
     */
    readonly middlewares?: readonly string[];
  };
  readonly persistence?: Readonly<Record<string, Persistence>>;
  /**
   * ConfigMaps the app owns: name -> key -> content, each rendered as `<app>-<name>`. Env
   * groups (`envFromConfigMaps`), ConfigMap env values and `files` name them by `<name>`
   * (any other name is an existing ConfigMap). Pods carry a checksum of them, so a change
   * rolls the pods.
   */
  readonly configMaps?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly secrets?: Readonly<Record<string, SecretSource>>;
  /**
   * A database on the cluster's CloudNativePG cluster; wires `DATABASE_URL` into every container.
   * With `owner`, the app shares the claim of that app of the same namespace (its role,
   * database and `postgres-<owner>-user` Secret) instead of claiming its own.
   */
  readonly database?: DatabaseRequest;
  /** A cache (Valkey/Redis) app in the same namespace; wires `REDIS_HOST`/`REDIS_PORT`. */
  readonly cache?: Peer;
  /** Other peers the app calls (egress) and that call it (ingress). */
  readonly talksTo?: readonly Peer[];
  readonly calledBy?: readonly string[];
  /** Egress to addresses outside the cluster on these TCP ports (e.g. [443] for a public API). */
  readonly internetEgress?: readonly number[];
  /**
   * Further egress rules of the app's NetworkPolicy, as written, after the ones the spec
   * derives: the escape hatch (as app-template's `rawResource`) for a need only one app has,
   * e.g. an admin UI reaching database clusters of other namespaces.
   * @default none
   * @see https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/#NetworkPolicySpec
   */
  readonly extraEgress?: readonly NetworkPolicyEgressRule[];
  /** Metrics scrape on a service port. */
  readonly metrics?: { readonly port: string; readonly path?: string };
  readonly priorityClassName?: string;
  /** Image pull secret (an existing or live-applied Secret). */
  readonly imagePullSecret?: string;
  /** Items that must be ready first (e.g. the database item). */
  readonly dependsOn?: readonly string[];
  /**
   * Istio sidecar mesh (the namespace must have injection on): STRICT mTLS for the app's pods
   * (PeerAuthentication), ISTIO_MUTUAL to its Service (DestinationRule) and, with `jwt`,
   * tokens validated (RequestAuthentication) and required on the service ports
   * (AuthorizationPolicy). The metrics port stays plaintext for the scraper outside the mesh.
   */
  readonly mesh?: {
    readonly jwt?: {
      readonly issuer: string;
      readonly jwksUri: string;
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
  /** Parent for generated passwords. */
  readonly parent: pulumi.Resource;
  /**
   * Specs of other apps in the same namespace (built by other catalog apps), only to resolve
   * `<app>/<secret>` references to their secrets. @default none
   */
  readonly peers?: readonly AppSpec[];
}

/**
 * Env var names for the parts of the database connection, for images that take host, port,
 * name, user and password apart rather than one URL (linkding's `LD_DB_*`, a JDBC URL built
 * with `$(VAR)` references). Each one named is wired; the others are left out.
 */
export interface DatabaseConnectionEnv {
  /** `<cluster>-rw.<namespace>.svc`, the primary's Service. */
  readonly host?: string;
  /** `5432`. */
  readonly port?: string;
  /** The database name. */
  readonly name?: string;
  /** Key `username` of the `postgres-<app>-user` Secret. */
  readonly user?: string;
  /** Key `password` of the `postgres-<app>-user` Secret. */
  readonly password?: string;
}

/** What an app asks of its database; all but `cluster` are optional. */
export interface DatabaseRequest {
  /** The database cluster (one CloudNativePG `Cluster` per name and namespace). */
  readonly cluster: string;
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

export interface DatabaseClaim extends Omit<DatabaseRequest, "name" | "env" | "connectionEnv" | "owner"> {
  readonly app: string;
  readonly database: string;
  readonly cluster: string;
  readonly namespace: string;
}

export interface WorkloadBuild {
  readonly items: readonly DeliveryItem[];
  readonly liveSecrets: readonly LiveSecret[];
  readonly databaseClaims: readonly DatabaseClaim[];
}
