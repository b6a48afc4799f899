import { buildWorkloads, OPT_OUT_PREFIX, type AppSpec } from "../../components/apps/workload";
import { phaseOf, validateItems, type Bundle, type KubeObject } from "../../components/gitops";
import * as pulumi from "@pulumi/pulumi";
import { runProgram } from "../../lib/mock-runtime";
import { validateSchemas } from "../../tools/schemas";
import { container, pureContext, webApp } from "./fixtures";

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const build = (apps: AppSpec[], ctx = pureContext()) => buildWorkloads(apps, ctx);
const objectsOf = (apps: AppSpec[], ctx = pureContext()): KubeObject[] =>
  (build(apps, ctx).items as Bundle[]).flatMap((b) => [...b.objects]);
const find = (objects: KubeObject[], kind: string, name?: string): Any => {
  const o = objects.find((x) => x.kind === kind && (name === undefined || x.metadata.name === name));
  if (!o) throw new Error(`no ${kind}/${name ?? "*"}`);
  return o;
};
const podOf = (o: Any): Any =>
  (o.kind === "CronJob" ? o.spec.jobTemplate.spec.template.spec : o.spec.template.spec) as Any;

describe("secure defaults and opt-outs", () => {
  it("gives every container the restricted profile, requests and a memory limit", () => {
    const app = webApp({
      controllers: {
        web: {
          type: "deployment",
          containers: { web: container({ writablePaths: ["/tmp"] }) },
          initContainers: { init: container() },
          sidecars: { side: container() },
        },
      },
    });
    const pod = podOf(find(objectsOf([app]), "Deployment", "web"));
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
    const all = [...pod.initContainers, ...pod.containers];
    expect(all.map((c: Any) => c.name as string)).toEqual(["init", "side", "web"]);
    expect(pod.initContainers[1].restartPolicy).toBe("Always");
    for (const c of all) {
      expect(c.securityContext).toEqual({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        capabilities: { drop: ["ALL"] },
        seccompProfile: { type: "RuntimeDefault" },
      });
      expect(c.resources).toEqual({ requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "64Mi" } });
    }
    expect(pod.volumes).toContainEqual({ name: "web-tmp-tmp", emptyDir: {} });
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: "web-tmp-tmp", mountPath: "/tmp" });
  });

  it("records each opt-out with its reason on the object and the pod", () => {
    const security = {
      runAsNonRoot: { reason: "image needs root" },
      readOnlyRootFilesystem: { reason: "writes its cache in /app" },
      allowPrivilegeEscalation: { reason: "setuid helper" },
      capabilities: { reason: "binds port 80", add: ["NET_BIND_SERVICE"] },
    };
    const app = webApp({
      controllers: {
        web: {
          type: "deployment",
          serviceAccountToken: { reason: "talks to the API" },
          containers: { web: container({ security }) },
        },
      },
    });
    const d = find(objectsOf([app]), "Deployment", "web");
    const expected = {
      [`${OPT_OUT_PREFIX}web.runAsNonRoot`]: "image needs root",
      [`${OPT_OUT_PREFIX}web.readOnlyRootFilesystem`]: "writes its cache in /app",
      [`${OPT_OUT_PREFIX}web.allowPrivilegeEscalation`]: "setuid helper",
      [`${OPT_OUT_PREFIX}web.capabilities`]: "binds port 80",
      [`${OPT_OUT_PREFIX}pod.automountServiceAccountToken`]: "talks to the API",
    };
    expect(d.metadata.annotations).toEqual(expected);
    expect(d.spec.template.metadata.annotations).toEqual(expected);
    const pod = podOf(d);
    expect(pod.automountServiceAccountToken).toBe(true);
    expect(pod.securityContext.runAsNonRoot).toBe(false);
    expect(pod.containers[0].securityContext).toEqual({
      allowPrivilegeEscalation: true,
      readOnlyRootFilesystem: false,
      runAsNonRoot: false,
      capabilities: { drop: ["ALL"], add: ["NET_BIND_SERVICE"] },
      seccompProfile: { type: "RuntimeDefault" },
    });
  });

  it("rejects an opt-out without a reason, root without an opt-out and an unpinned image", () => {
    const noReason = webApp({
      controllers: {
        web: {
          type: "deployment",
          containers: { web: container({ security: { runAsNonRoot: { reason: " " } } }) },
        },
      },
    });
    expect(() => build([noReason])).toThrow(
      'app "web" container "web": security.runAsNonRoot opt-out needs a reason',
    );
    const root = webApp({
      controllers: { web: { type: "deployment", containers: { web: container({ runAsUser: 0 }) } } },
    });
    expect(() => build([root])).toThrow(
      'app "web" container "web": runAsUser 0 is root; opt out with security.runAsNonRoot and a reason',
    );
    const latest = webApp({
      controllers: {
        web: {
          type: "deployment",
          containers: { web: container({ image: { repository: "x/y", tag: "latest" } }) },
        },
      },
    });
    expect(() => build([latest])).toThrow('image x/y: tag "latest" is not pinned; set an exact tag');
  });
});

describe("claims", () => {
  it("wires a database claim: DATABASE_URL, egress to the CNPG pods and a returned claim", () => {
    const app = webApp({ database: { cluster: "postgres" } });
    const result = build([app]);
    const objects = (result.items[0] as Bundle).objects as KubeObject[];
    expect(podOf(find(objects, "Deployment", "web")).containers[0].env).toContainEqual({
      name: "DATABASE_URL",
      valueFrom: { secretKeyRef: { name: "postgres-web-user", key: "uri" } },
    });
    expect(find(objects, "NetworkPolicy", "web").spec.egress).toContainEqual({
      to: [{ podSelector: { matchLabels: { "cnpg.io/cluster": "postgres" } } }],
      ports: [{ protocol: "TCP", port: 5432 }],
    });
    expect(result.databaseClaims).toEqual([
      { app: "web", database: "web", cluster: "postgres", namespace: "demo" },
    ]);
    expect(objects.some((o) => o.apiVersion.startsWith("postgresql.cnpg.io"))).toBe(false);
  });

  it("shares a database claimed by another app: its Secret and egress, one claim only", () => {
    const owner = webApp({ database: { cluster: "postgres", name: "shop" } });
    const worker = webApp({
      name: "worker",
      controllers: { worker: { type: "deployment", containers: { worker: container() } } },
      service: { ports: { http: 8080 } },
      database: { cluster: "postgres", owner: "web" },
    });
    const result = build([owner, worker]);
    const objects = (result.items[1] as Bundle).objects as KubeObject[];
    expect(podOf(find(objects, "Deployment", "worker")).containers[0].env).toContainEqual({
      name: "DATABASE_URL",
      valueFrom: { secretKeyRef: { name: "postgres-web-user", key: "uri" } },
    });
    expect(find(objects, "NetworkPolicy", "worker").spec.egress).toContainEqual({
      to: [{ podSelector: { matchLabels: { "cnpg.io/cluster": "postgres" } } }],
      ports: [{ protocol: "TCP", port: 5432 }],
    });
    expect(result.databaseClaims).toEqual([
      { app: "web", database: "shop", cluster: "postgres", namespace: "demo" },
    ]);
    expect(() => build([worker])).toThrow(
      'app "worker" database.owner: "web" is not an app of this namespace that claims its own database',
    );
    expect(() => build([owner, { ...worker, database: { cluster: "other", owner: "web" } }])).toThrow(
      'app "worker" database.cluster: "other" differs from its owner\'s ("postgres")',
    );
  });
  it("wires the connection's parts under the names an app asks for, before its own env", () => {
    const app = webApp({
      database: {
        cluster: "db",
        name: "bookmarks",
        connectionEnv: {
          host: "DB_HOST",
          port: "DB_PORT",
          name: "DB_NAME",
          user: "DB_USER",
          password: "DB_PASS",
        },
      },
      controllers: {
        web: {
          type: "deployment",
          containers: {
            web: container({ env: { JDBC: "jdbc:postgresql://$(DB_HOST):$(DB_PORT)/$(DB_NAME)" } }),
          },
        },
      },
    });
    const env = podOf(find(objectsOf([app]), "Deployment", "web")).containers[0].env as Any[];
    const secret = (key: string) => ({ valueFrom: { secretKeyRef: { name: "postgres-web-user", key } } });
    // Kubernetes expands $(VAR) only from variables defined earlier in the list.
    // No DATABASE_URL: the image takes the parts.
    expect(env).toEqual([
      { name: "DB_HOST", value: "db-rw.demo.svc" },
      { name: "DB_PORT", value: "5432" },
      { name: "DB_NAME", value: "bookmarks" },
      { name: "DB_USER", ...secret("username") },
      { name: "DB_PASS", ...secret("password") },
      { name: "JDBC", value: "jdbc:postgresql://$(DB_HOST):$(DB_PORT)/$(DB_NAME)" },
    ]);
    // Only the names given are wired, and a URL only when `env` names its variable.
    const some = webApp({
      database: { cluster: "db", env: "DB_URL", connectionEnv: { password: "PGPASSWORD" } },
    });
    const names = (podOf(find(objectsOf([some]), "Deployment", "web")).containers[0].env as Any[]).map(
      (e) => e.name,
    );
    expect(names).toEqual(["DB_URL", "PGPASSWORD"]);
  });

  it("passes extensions, an operand image and preloads through the claim; reads a peer's database Secret", () => {
    const ferret = webApp({
      name: "ferret",
      controllers: { ferret: { type: "deployment", containers: { web: container() } } },
      database: { cluster: "docdb", env: "FERRETDB_POSTGRESQL_URL" },
    });
    const client = webApp({
      name: "client",
      service: undefined,
      controllers: {
        client: {
          type: "deployment",
          containers: {
            web: container({ env: { USER: { secret: "postgres-ferret-user", key: "username" } } }),
          },
        },
      },
    });
    const vector = webApp({
      name: "vec",
      service: undefined,
      database: {
        cluster: "vecdb",
        name: "vectors",
        imageName: "example.org/pg-vector:17",
        sharedPreloadLibraries: ["vchord.so"],
        extensions: ["vector", "vchord"],
      },
    });
    const result = build([ferret, client, vector]);
    expect(result.databaseClaims).toEqual([
      { app: "ferret", database: "ferret", cluster: "docdb", namespace: "demo" },
      {
        app: "vec",
        database: "vectors",
        cluster: "vecdb",
        namespace: "demo",
        extensions: ["vector", "vchord"],
        imageName: "example.org/pg-vector:17",
        sharedPreloadLibraries: ["vchord.so"],
      },
    ]);
    const objects = (result.items as Bundle[]).flatMap((b) => [...b.objects]);
    expect(podOf(find(objects, "Deployment", "ferret")).containers[0].env).toContainEqual({
      name: "FERRETDB_POSTGRESQL_URL",
      valueFrom: { secretKeyRef: { name: "postgres-ferret-user", key: "uri" } },
    });
    expect(podOf(find(objects, "Deployment", "client")).containers[0].env).toContainEqual({
      name: "USER",
      valueFrom: { secretKeyRef: { name: "postgres-ferret-user", key: "username" } },
    });
  });

  it("appends extraEgress rules as written after the derived ones, and nothing without them", () => {
    const egressOf = (app: AppSpec) => find(objectsOf([app]), "NetworkPolicy", "web").spec.egress as Any[];
    const rule = {
      to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "other" } } }],
      ports: [{ protocol: "TCP", port: 5432 }],
    };
    const plain = egressOf(webApp({ internetEgress: [443] }));
    expect(egressOf(webApp({ internetEgress: [443], extraEgress: [rule] }))).toEqual([...plain, rule]);
    expect(egressOf(webApp({ internetEgress: [443], extraEgress: [] }))).toEqual(plain);
    expect(JSON.stringify(plain)).not.toContain('"other"');
  });

  it("wires a cache claim and persistence (default class, named class, NFS)", () => {
    const ctx = pureContext({ storageClasses: ["hcloud-volumes-encrypted", "longhorn"] });
    const app = webApp({
      cache: { app: "valkey", port: 6379 },
      persistence: {
        data: { type: "pvc", size: "2Gi" },
        fast: { type: "pvc", size: "1Gi", storageClass: "longhorn" },
        media: { type: "nfs", server: "10.0.0.5", path: "/export/media" },
      },
      controllers: {
        web: {
          type: "deployment",
          containers: { web: container({ mounts: { "/data": "data", "/fast": "fast", "/media": "media" } }) },
        },
      },
    });
    const objects = objectsOf([app], ctx);
    const pod = podOf(find(objects, "Deployment", "web"));
    expect(pod.containers[0].env).toEqual(
      expect.arrayContaining([
        { name: "REDIS_HOST", value: "valkey" },
        { name: "REDIS_PORT", value: "6379" },
      ]),
    );
    expect(find(objects, "PersistentVolumeClaim", "web-data").spec.storageClassName).toBe(
      "hcloud-volumes-encrypted",
    );
    expect(find(objects, "PersistentVolumeClaim", "web-fast").spec.storageClassName).toBe("longhorn");
    expect(find(objects, "PersistentVolumeClaim", "web-data").metadata.annotations).toEqual({
      "argocd.argoproj.io/sync-options": "Prune=false,Delete=false",
      "kustomize.toolkit.fluxcd.io/prune": "disabled",
    });
    expect(pod.volumes).toEqual([
      { name: "data", persistentVolumeClaim: { claimName: "web-data" } },
      { name: "fast", persistentVolumeClaim: { claimName: "web-fast" } },
      { name: "media", persistentVolumeClaim: { claimName: "web-media" } },
    ]);
    // The restricted profile admits no inline nfs volume: a static PV bound to the app's PVC.
    expect(find(objects, "PersistentVolume", "demo-web-media").spec).toEqual({
      capacity: { storage: "1Gi" },
      accessModes: ["ReadWriteMany"],
      persistentVolumeReclaimPolicy: "Retain",
      storageClassName: "",
      claimRef: { namespace: "demo", name: "web-media" },
      nfs: { server: "10.0.0.5", path: "/export/media", readOnly: false },
    });
    expect(find(objects, "PersistentVolumeClaim", "web-media").spec).toEqual({
      accessModes: ["ReadWriteMany"],
      storageClassName: "",
      volumeName: "demo-web-media",
      resources: { requests: { storage: "1Gi" } },
    });
    const readOnly = webApp({
      persistence: { media: { type: "nfs", server: "10.0.0.5", path: "/export/media", readOnly: true } },
      controllers: {
        web: { type: "deployment", containers: { web: container({ mounts: { "/media": "media" } }) } },
      },
    });
    const roObjects = objectsOf([readOnly], ctx);
    expect(podOf(find(roObjects, "Deployment", "web")).volumes).toEqual([
      { name: "media", persistentVolumeClaim: { claimName: "web-media", readOnly: true } },
    ]);
    expect(find(roObjects, "PersistentVolume", "demo-web-media").spec.accessModes).toEqual(["ReadOnlyMany"]);
    const bad = webApp({ persistence: { data: { type: "pvc", size: "1Gi", storageClass: "nope" } } });
    expect(() => build([bad])).toThrow(
      'app "web" persistence.data.storageClass: "nope" is not on this cluster (available: hcloud-volumes-encrypted)',
    );
  });
});

describe("exposure", () => {
  const app = webApp({ route: { host: "web", port: "http" } });
  it("gateway-api: an HTTPRoute on the shared Gateway and a Cilium policy for the ingress identity", () => {
    const objects = objectsOf([app]);
    expect(find(objects, "HTTPRoute", "web").spec).toEqual({
      parentRefs: [
        { group: "gateway.networking.k8s.io", kind: "Gateway", name: "shared", namespace: "gateway" },
      ],
      hostnames: ["web.example.test"],
      rules: [
        {
          matches: [{ path: { type: "PathPrefix", value: "/" } }],
          backendRefs: [{ name: "web", port: 8080 }],
        },
      ],
    });
    expect(find(objects, "CiliumNetworkPolicy", "web-from-gateway").spec.ingress).toEqual([
      { fromEntities: ["ingress"], toPorts: [{ ports: [{ port: "8080", protocol: "TCP" }] }] },
    ]);
  });
  it("traefik: an Ingress with cert-manager TLS and ingress allowed from Traefik's namespace", () => {
    const objects = objectsOf(
      [app],
      pureContext({
        exposure: {
          kind: "traefik",
          clusterIssuer: "letsencrypt",
          ingressClassName: "traefik",
          namespace: "kube-system",
        },
      }),
    );
    const ing = find(objects, "Ingress", "web");
    expect(ing.metadata.annotations).toEqual({ "cert-manager.io/cluster-issuer": "letsencrypt" });
    expect(ing.spec.tls).toEqual([{ hosts: ["web.example.test"], secretName: "web-tls" }]);
    expect(ing.spec.ingressClassName).toBe("traefik");
    expect(find(objects, "NetworkPolicy", "web").spec.ingress).toContainEqual({
      from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } } }],
      ports: [{ protocol: "TCP", port: 8080 }],
    });
  });
  it("istio: a Gateway in the ingress namespace and a VirtualService bound to it", () => {
    const objects = objectsOf(
      [app],
      pureContext({
        exposure: {
          kind: "istio",
          namespace: "istio-ingress",
          selector: { istio: "ingressgateway" },
          clusterIssuer: "letsencrypt-production",
        },
      }),
    );
    const gw = find(objects, "Gateway", "demo-web");
    expect(gw.metadata.namespace).toBe("istio-ingress");
    expect(gw.spec.servers[0].tls).toEqual({ mode: "SIMPLE", credentialName: "demo-web-tls" });
    // The TLS Secret is issued where the gateway pods can read it.
    const cert = find(objects, "Certificate", "demo-web-tls");
    expect(cert.metadata.namespace).toBe("istio-ingress");
    expect(cert.spec).toEqual({
      secretName: "demo-web-tls",
      dnsNames: ["web.example.test"],
      issuerRef: { kind: "ClusterIssuer", name: "letsencrypt-production" },
    });
    expect(find(objects, "VirtualService", "web").spec.gateways).toEqual(["istio-ingress/demo-web"]);
  });
  it("serves a route's aliases on every exposure kind", () => {
    const app = webApp({ route: { host: "pad", port: "http", aliases: ["pad-sandbox", "pad.other.test"] } });
    const hosts = ["pad.example.test", "pad-sandbox.example.test", "pad.other.test"];
    expect(find(objectsOf([app]), "HTTPRoute", "web").spec.hostnames).toEqual(hosts);
    const traefik = pureContext({
      exposure: {
        kind: "traefik",
        clusterIssuer: "le",
        ingressClassName: "traefik",
        namespace: "kube-system",
      },
    });
    const ing = find(objectsOf([app], traefik), "Ingress", "web");
    expect(ing.spec.tls).toEqual([{ hosts, secretName: "web-tls" }]);
    expect(ing.spec.rules.map((r: Any) => r.host)).toEqual(hosts);
    const istio = pureContext({
      exposure: {
        kind: "istio",
        namespace: "istio-ingress",
        selector: { istio: "ingressgateway" },
        clusterIssuer: "le",
      },
    });
    const objects = objectsOf([app], istio);
    expect(find(objects, "Certificate").spec.dnsNames).toEqual(hosts);
    expect(find(objects, "VirtualService", "web").spec.hosts).toEqual(hosts);
    expect(find(objects, "Gateway").spec.servers[0].hosts).toEqual(hosts);
  });

  it("NodePort only when the spec says so", () => {
    expect(find(objectsOf([app]), "Service", "web").spec.type).toBe("ClusterIP");
    const np = find(
      objectsOf([webApp({ service: { ports: { http: 8080 }, nodePorts: { http: 30080 } } })]),
      "Service",
      "web",
    );
    expect(np.spec.type).toBe("NodePort");
    expect(np.spec.ports[0].nodePort).toBe(30080);
  });
  it("admits the LAN ranges (or the spec's sources) on a node port, and only there", () => {
    const np = webApp({
      service: { ports: { http: 8080, admin: 9090 }, nodePorts: { http: 30080 } },
      controllers: {
        web: { type: "deployment", containers: { web: container({ ports: { http: 8080, admin: 9090 } }) } },
      },
      calledBy: ["api"],
    });
    const policy = find(objectsOf([np]), "NetworkPolicy", "web");
    expect(policy.spec.ingress).toEqual([
      {
        from: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"].map((cidr) => ({ ipBlock: { cidr } })),
        ports: [{ protocol: "TCP", port: 8080 }],
      },
      {
        from: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "api" } } }],
        ports: [
          { protocol: "TCP", port: 8080 },
          { protocol: "TCP", port: 9090 },
        ],
      },
    ]);
    const lan = find(objectsOf([{ ...np, nodePortSources: ["10.0.40.0/24"] }]), "NetworkPolicy", "web");
    expect(lan.spec.ingress[0].from).toEqual([{ ipBlock: { cidr: "10.0.40.0/24" } }]);
    const plain = find(objectsOf([webApp({ calledBy: ["api"] })]), "NetworkPolicy", "web");
    expect(JSON.stringify(plain.spec.ingress)).not.toContain("ipBlock");
  });
});

describe("availability", () => {
  it("adds HPA behaviour, a PDB, topology spread and anti-affinity for multi-replica workloads", () => {
    const app = webApp({
      controllers: {
        web: {
          type: "deployment",
          containers: { web: container() },
          autoscaling: {
            min: 2,
            max: 6,
            cpu: 70,
            custom: [{ type: "External", metric: "queue_depth", averageValue: "30" }],
            scaleDown: {
              stabilizationSeconds: 600,
              policies: [{ type: "Percent", value: 10, periodSeconds: 60 }],
            },
          },
        },
      },
    });
    const objects = objectsOf([app]);
    const hpa = find(objects, "HorizontalPodAutoscaler", "web");
    expect(hpa.spec.metrics).toEqual([
      {
        type: "Resource",
        resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } },
      },
      {
        type: "External",
        external: { metric: { name: "queue_depth" }, target: { type: "AverageValue", averageValue: "30" } },
      },
    ]);
    expect(hpa.spec.behavior).toEqual({
      scaleUp: { stabilizationWindowSeconds: 0, policies: [{ type: "Pods", value: 4, periodSeconds: 60 }] },
      scaleDown: {
        stabilizationWindowSeconds: 600,
        policies: [{ type: "Percent", value: 10, periodSeconds: 60 }],
      },
    });
    // Pod-count policies with their own period (002: +2 pods / 30 s up, -1 pod / 60 s down).
    const fast = objectsOf([
      webApp({
        controllers: {
          web: {
            type: "deployment",
            containers: { web: container() },
            autoscaling: {
              min: 2,
              max: 4,
              memory: 80,
              scaleUp: {
                stabilizationSeconds: 30,
                policies: [{ type: "Pods", value: 2, periodSeconds: 30 }],
              },
              scaleDown: {
                stabilizationSeconds: 180,
                policies: [{ type: "Pods", value: 1, periodSeconds: 60 }],
              },
            },
          },
        },
      }),
    ]);
    expect(find(fast, "HorizontalPodAutoscaler", "web").spec.behavior).toEqual({
      scaleUp: { stabilizationWindowSeconds: 30, policies: [{ type: "Pods", value: 2, periodSeconds: 30 }] },
      scaleDown: {
        stabilizationWindowSeconds: 180,
        policies: [{ type: "Pods", value: 1, periodSeconds: 60 }],
      },
    });
    // External metrics with a Value target and a series selector (002's web HPA: p95 queue time).
    const valued = objectsOf([
      webApp({
        controllers: {
          web: {
            type: "deployment",
            containers: { web: container() },
            autoscaling: {
              min: 1,
              max: 3,
              custom: [
                { type: "External", metric: "p95", value: "35m", selector: { job: "web" } },
                { type: "Pods", metric: "rps", averageValue: "100" },
              ],
            },
          },
        },
      }),
    ]);
    expect(find(valued, "HorizontalPodAutoscaler", "web").spec.metrics).toEqual([
      {
        type: "External",
        external: {
          metric: { name: "p95", selector: { matchLabels: { job: "web" } } },
          target: { type: "Value", value: "35m" },
        },
      },
      {
        type: "Pods",
        pods: { metric: { name: "rps" }, target: { type: "AverageValue", averageValue: "100" } },
      },
    ]);
    expect(() =>
      objectsOf([
        webApp({
          controllers: {
            web: {
              type: "deployment",
              containers: { web: container() },
              autoscaling: { min: 1, max: 2, custom: [{ type: "Pods", metric: "rps", value: "1" }] },
            },
          },
        }),
      ]),
    ).toThrow("HPA web: Pods metric rps needs an averageValue target, not value");
    const d = find(objects, "Deployment", "web");
    expect(d.spec.replicas).toBeUndefined();
    expect(podOf(d).topologySpreadConstraints[0]).toMatchObject({
      maxSkew: 1,
      whenUnsatisfiable: "ScheduleAnyway",
    });
    expect(podOf(d).affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight).toBe(
      100,
    );
    expect(find(objects, "PodDisruptionBudget", "web").spec).toEqual({
      maxUnavailable: 1,
      selector: { matchLabels: { "app.kubernetes.io/name": "web", "app.kubernetes.io/component": "web" } },
    });
  });
  it("adds none of it for a single replica", () => {
    const objects = objectsOf([webApp()]);
    expect(objects.map((o) => o.kind)).toEqual(["Deployment", "Service", "NetworkPolicy"]);
    expect(podOf(find(objects, "Deployment")).topologySpreadConstraints).toBeUndefined();
  });
});

describe("controllers and phases", () => {
  it("orders a migration Job before the workloads and a database StatefulSet in base", () => {
    const app = webApp({
      controllers: {
        web: { type: "deployment", containers: { web: container() } },
        migrate: {
          type: "migration",
          containers: { migrate: container({ command: ["migrate"], probes: {} }) },
        },
        nightly: { type: "cronjob", schedule: "0 3 * * *", containers: { job: container({ probes: {} }) } },
        db: {
          type: "statefulset",
          phase: "base",
          volumeClaimTemplates: { data: { size: "1Gi" } },
          containers: { db: container({ mounts: { "/data": "data" }, runAsUser: 999, runAsGroup: 1000 }) },
        },
      },
    });
    const objects = objectsOf([app]);
    const job = find(objects, "Job");
    expect(job.metadata.name).toMatch(/^web-migrate-[0-9a-f]{8}$/);
    expect(phaseOf(job as KubeObject)).toBe("migrations");
    expect(phaseOf(find(objects, "Deployment") as KubeObject)).toBe("workloads");
    expect(phaseOf(find(objects, "CronJob") as KubeObject)).toBe("workloads");
    const sts = find(objects, "StatefulSet", "web-db");
    expect(phaseOf(sts as KubeObject)).toBe("base");
    expect(sts.spec.volumeClaimTemplates[0].spec.storageClassName).toBe("hcloud-volumes-encrypted");
    expect(sts.spec.persistentVolumeClaimRetentionPolicy).toEqual({
      whenDeleted: "Retain",
      whenScaled: "Retain",
    });
    expect(podOf(sts).securityContext.fsGroup).toBe(1000);
    expect(podOf(sts).containers[0].securityContext).toMatchObject({ runAsUser: 999, runAsGroup: 1000 });
    expect(podOf(job).restartPolicy).toBe("OnFailure");
  });
  it("names the Job after its template so an image bump makes a new Job", () => {
    const withTag = (tag: string): string =>
      find(
        objectsOf([
          webApp({
            controllers: {
              web: { type: "deployment", containers: { web: container() } },
              m: { type: "migration", containers: { m: container({ image: { repository: "r/x", tag } }) } },
            },
          }),
        ]),
        "Job",
      ).metadata.name as string;
    expect(withTag("1.0.0")).not.toBe(withTag("1.0.1"));
    expect(withTag("1.0.0")).toBe(withTag("1.0.0"));
  });
  it("rejects a secret reference that is nobody's secret", () => {
    const app = webApp({
      controllers: {
        web: {
          type: "deployment",
          containers: { web: container({ env: { X: { secret: "nope", key: "k" } } }) },
        },
      },
    });
    expect(() => build([app])).toThrow(
      'app "web": secret "nope" is not one of its secrets (none) nor "<app>/<secret>" of another app',
    );
  });
  it("resolves <app>/<secret> of a peer built by another catalog app in the namespace", () => {
    const owner = webApp({
      name: "store",
      secrets: { op: { type: "onepassword", itemPath: "vaults/infra/items/store" } },
    });
    const client = webApp({
      controllers: {
        web: {
          type: "deployment",
          containers: { web: container({ env: { PW: { secret: "store/op", key: "password" } } }) },
        },
      },
    });
    expect(() => build([client])).toThrow('secret "store/op" is not one of its secrets');
    const pod = podOf(find(objectsOf([client], pureContext({ peers: [owner] })), "Deployment", "web"));
    expect(pod.containers[0].env).toContainEqual({
      name: "PW",
      valueFrom: { secretKeyRef: { name: "store-op", key: "password" } },
    });
  });
  it("shares an emptyDir between the containers of a pod that mount it", () => {
    const app = webApp({
      persistence: { scratch: { type: "emptyDir", medium: "Memory", sizeLimit: "1Mi" } },
      controllers: {
        web: {
          type: "deployment",
          initContainers: { init: container({ probes: {}, mounts: { "/out": "scratch" } }) },
          containers: { web: container({ mounts: { "/in": "scratch" } }) },
        },
      },
    });
    const objects = objectsOf([app]);
    expect(objects.filter((o) => o.kind === "PersistentVolumeClaim")).toEqual([]);
    const pod = podOf(find(objects, "Deployment", "web"));
    expect(pod.volumes).toEqual([{ name: "scratch", emptyDir: { medium: "Memory", sizeLimit: "1Mi" } }]);
    expect(pod.initContainers[0].volumeMounts).toEqual([{ name: "scratch", mountPath: "/out" }]);
    expect(pod.containers[0].volumeMounts).toEqual([{ name: "scratch", mountPath: "/in" }]);
  });
  it("delivers valid items in the apps layer", () => {
    const items = build([webApp({ dependsOn: ["postgres"] })]).items;
    expect(() => validateItems(items, { complete: false })).not.toThrow();
    expect(items[0]).toMatchObject({
      kind: "bundle",
      name: "web",
      layer: "apps",
      namespace: "demo",
      dependsOn: ["postgres"],
    });
  });
});

describe("secrets and schemas", () => {
  const rich = webApp({
    route: { host: "web", port: "http" },
    metrics: { port: "http" },
    persistence: { data: { type: "pvc", size: "1Gi" } },
    secrets: {
      api: {
        type: "external",
        store: "bitwarden",
        keys: { token: { remoteKey: "web-api", property: "token" } },
      },
      op: { type: "onepassword", itemPath: "vaults/infra/items/web" },
      cfg: { type: "config", keys: { password: "steadyGhcrDockerConfigJson" } },
    },
    controllers: {
      web: {
        type: "deployment",
        containers: {
          web: container({
            mounts: { "/data": "data" },
            env: { TOKEN: { secret: "api", key: "token" }, CFG: { configMap: "web-config", key: "mode" } },
            files: { "/etc/web/app.yaml": { configMap: "web-config", key: "app.yaml" } },
            envFromConfigMaps: ["web-env"],
          }),
        },
        autoscaling: {
          min: 2,
          max: 4,
          memory: 80,
          custom: [{ type: "Pods", metric: "rps", averageValue: "100" }],
        },
      },
      nightly: { type: "cronjob", schedule: "0 3 * * *", containers: { job: container({ probes: {} }) } },
    },
  });

  it("emits ExternalSecret and OnePasswordItem, applies config secrets live, and rejects a missing key", () => {
    const result = build([rich]);
    const objects = (result.items[0] as Bundle).objects as KubeObject[];
    expect(find(objects, "ExternalSecret", "web-api").spec).toEqual({
      refreshInterval: "1h",
      secretStoreRef: { kind: "ClusterSecretStore", name: "bitwarden" },
      target: { name: "web-api", creationPolicy: "Owner" },
      data: [{ secretKey: "token", remoteRef: { key: "web-api", property: "token" } }],
    });
    expect(find(objects, "OnePasswordItem", "web-op").spec).toEqual({ itemPath: "vaults/infra/items/web" });
    expect(result.liveSecrets.map((s) => [s.name, s.namespace])).toEqual([["web-cfg", "demo"]]);
    const c = podOf(find(objects, "Deployment", "web")).containers[0];
    expect(c.env).toContainEqual({
      name: "TOKEN",
      valueFrom: { secretKeyRef: { name: "web-api", key: "token" } },
    });
    expect(c.envFrom).toEqual([{ configMapRef: { name: "web-env" } }]);
    expect(c.volumeMounts).toContainEqual({
      name: "web-file-etc-web-app-yaml",
      mountPath: "/etc/web/app.yaml",
      subPath: "app.yaml",
      readOnly: true,
    });
    expect(() => build([rich], pureContext({ secrets: {} }))).toThrow(
      'app "web" secrets.cfg.keys.password: secret config "steadyGhcrDockerConfigJson" is not set; run `pulumi config set --secret steadyGhcrDockerConfigJson <value>`',
    );
  });

  it("passes the upstream schemas on every exposure kind", () => {
    const contexts = [
      pureContext(),
      pureContext({
        exposure: {
          kind: "traefik",
          clusterIssuer: "letsencrypt",
          ingressClassName: "traefik",
          namespace: "kube-system",
        },
      }),
      pureContext({
        exposure: {
          kind: "istio",
          namespace: "istio-ingress",
          selector: { istio: "ingressgateway" },
          clusterIssuer: "letsencrypt-staging",
        },
      }),
    ];
    const all = contexts.flatMap((ctx) => objectsOf([rich], ctx));
    const results = validateSchemas(all);
    expect(results.filter((r) => r.status === "invalid")).toEqual([]);
    const valid = new Set(results.filter((r) => r.status === "valid").map((r) => r.kind));
    for (const kind of [
      "Ingress",
      "Gateway",
      "VirtualService",
      "ExternalSecret",
      "HorizontalPodAutoscaler",
      "PodDisruptionBudget",
      "CronJob",
      "PersistentVolumeClaim",
    ])
      expect(valid).toContain(kind);
  });
});

describe("a generated basic-auth Secret and route middlewares", () => {
  it("makes a kubernetes.io/basic-auth Secret of the user and the generated password, and nothing else", async () => {
    const run = await runProgram(async () => {
      const parent = new pulumi.ComponentResource("test:index:Apps", "apps");
      const result = buildWorkloads(
        [
          webApp({
            secrets: {
              login: { type: "generated", keys: { password: { length: 32 } }, basicAuthUser: "admin" },
            },
          }),
        ],
        pureContext({ parent }),
      );
      const data = await new Promise<Record<string, string>>((resolve) =>
        pulumi.output(result.liveSecrets[0].stringData).apply((v) => resolve(v as Record<string, string>)),
      );
      return { result, data };
    });
    expect(run.outputs.result.liveSecrets.map((x) => [x.name, x.type])).toEqual([
      ["web-login", "kubernetes.io/basic-auth"],
    ]);
    expect(run.outputs.data).toEqual({ password: "fake-random-prod-web-login-password", username: "admin" });
    expect(() =>
      build(
        [
          webApp({
            secrets: {
              login: { type: "generated", keys: { token: { length: 32 } }, basicAuthUser: "admin" },
            },
          }),
        ],
        pureContext(),
      ),
    ).toThrow(
      'app "web" secrets.login.basicAuthUser: a basic-auth Secret has exactly the generated key "password", found token',
    );
  });

  it("refuses Traefik middlewares on a cluster that does not route through Traefik", () => {
    const app = webApp({ route: { host: "web", port: "http", middlewares: ["auth"] } });
    expect(() => objectsOf([app])).toThrow(
      'app "web" route.middlewares: Traefik Middlewares need the traefik ingress; this cluster routes through gateway-api',
    );
  });
});

describe("generated secrets with a bcrypt hash", () => {
  const withKeys = (keys: Record<string, { length: number; prefix?: string; bcrypt?: boolean }>) =>
    webApp({ secrets: { auth: { type: "generated", keys } } });

  it("publishes <key> and <key>Bcrypt from one RandomPassword, live only", async () => {
    const run = await runProgram(async () => {
      const parent = new pulumi.ComponentResource("test:index:Apps", "apps");
      const result = buildWorkloads(
        [withKeys({ password: { length: 32, bcrypt: true } })],
        pureContext({ parent }),
      );
      const data = await new Promise<Record<string, string>>((resolve) =>
        pulumi.output(result.liveSecrets[0].stringData).apply((v) => resolve(v as Record<string, string>)),
      );
      return { result, data };
    });
    const { result, data } = run.outputs;
    expect(result.liveSecrets.map((s) => s.name)).toEqual(["web-auth"]);
    expect(data).toEqual({
      password: "fake-random-prod-web-auth-password",
      passwordBcrypt: "fake-random-bcrypt-prod-web-auth-password",
    });
    const passwords = run.resources.filter((r) => r.type === "random:index/randomPassword:RandomPassword");
    expect(passwords.map((r) => [r.name, r.inputs])).toEqual([
      ["prod-web-auth-password", { length: 32, special: false }],
    ]);
    expect(JSON.stringify(result.items)).not.toContain("fake-random");
  });

  it("rejects bcrypt with a prefix, beyond 72 characters, or over another key", () => {
    const ctx = pureContext({ parent: undefined as unknown as pulumi.Resource });
    expect(() => buildWorkloads([withKeys({ k: { length: 32, prefix: "sk-", bcrypt: true } })], ctx)).toThrow(
      'app "web" secrets.auth.keys.k: bcrypt needs a value of at most 72 characters without a prefix (length 32, prefix "sk-")',
    );
    expect(() => buildWorkloads([withKeys({ k: { length: 80, bcrypt: true } })], ctx)).toThrow(
      "bcrypt needs a value of at most 72 characters without a prefix (length 80)",
    );
    expect(() =>
      buildWorkloads([withKeys({ k: { length: 32, bcrypt: true }, kBcrypt: { length: 32 } })], ctx),
    ).toThrow('app "web" secrets.auth.keys.k: bcrypt publishes kBcrypt, which is also a key');
  });
});

describe("config", () => {
  const configured = (core: Record<string, string>) =>
    webApp({
      configMaps: { core, nginx: { "nginx.conf": "events {}\n" } },
      controllers: {
        web: {
          type: "deployment",
          containers: {
            web: container({
              envFromConfigMaps: ["core", "shared-external"],
              env: { MODE: { configMap: "core", key: "MODE" } },
              files: { "/etc/nginx/nginx.conf": { configMap: "nginx", key: "nginx.conf" } },
            }),
          },
        },
      },
    });
  it("renders the app's ConfigMaps and resolves env groups, values and files to them", () => {
    const objects = objectsOf([configured({ MODE: "production" })]);
    expect(find(objects, "ConfigMap", "web-core").data).toEqual({ MODE: "production" });
    const c = podOf(find(objects, "Deployment", "web")).containers[0];
    // An env group the app does not own keeps its name (a ConfigMap something else creates).
    expect(c.envFrom).toEqual([
      { configMapRef: { name: "web-core" } },
      { configMapRef: { name: "shared-external" } },
    ]);
    expect(c.env).toContainEqual({
      name: "MODE",
      valueFrom: { configMapKeyRef: { name: "web-core", key: "MODE" } },
    });
    expect(podOf(find(objects, "Deployment", "web")).volumes).toContainEqual({
      name: "web-file-etc-nginx-nginx-conf",
      configMap: { name: "web-nginx" },
    });
  });
  it("mounts a file from one of the app's secrets", () => {
    const objects = objectsOf([
      webApp({
        secrets: {
          auth: { type: "external", store: "vault", keys: { "auth.yaml": { remoteKey: "web-auth" } } },
        },
        controllers: {
          web: {
            type: "deployment",
            containers: {
              web: container({ files: { "/app/auth.yaml": { secret: "auth", key: "auth.yaml" } } }),
            },
          },
        },
      }),
    ]);
    const spec = podOf(find(objects, "Deployment", "web"));
    expect(spec.volumes).toContainEqual({
      name: "web-file-app-auth-yaml",
      secret: { secretName: "web-auth" },
    });
    expect(spec.containers[0].volumeMounts).toContainEqual({
      name: "web-file-app-auth-yaml",
      mountPath: "/app/auth.yaml",
      subPath: "auth.yaml",
      readOnly: true,
    });
    expect(() =>
      objectsOf([
        webApp({
          controllers: {
            web: {
              type: "deployment",
              containers: { web: container({ files: { "/a": { secret: "nope", key: "k" } } }) },
            },
          },
        }),
      ]),
    ).toThrow('app "web": secret "nope" is not one of its secrets');
  });
  it("rolls the pods when the config changes", () => {
    const checksum = (mode: string) =>
      find(objectsOf([configured({ MODE: mode })]), "Deployment", "web").spec.template.metadata.annotations[
        "checksum/config"
      ];
    expect(checksum("production")).toMatch(/^[0-9a-f]{16}$/);
    expect(checksum("production")).toBe(checksum("production"));
    expect(checksum("staging")).not.toBe(checksum("production"));
  });
});
