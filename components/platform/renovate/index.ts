/** The renovate platform service: its definition (catalog entry, chart, settings, secrets) and builder. */

import { namespaceObject } from "../../../lib/namespaces";
import { type RenovateSettings, parseRenovateSettings } from "./settings";
import type { Bundle, KubeObject } from "../../gitops/delivery";
import { defineService } from "../types";
import { RESTRICTED_CONTAINER, INTERNET_IP_BLOCK, baselineNetworkPolicies } from "../cluster-helpers";

/** Renovate (004: "Runs hourly as a CronJob in the cluster"), as 004's repository runs it. */
export const renovateService = defineService<RenovateSettings>({
  name: "renovate",
  catalog: { description: "Renovate as an hourly CronJob", source: "002, 004" },
  parse: parseRenovateSettings,
  secrets: { renovateToken: { description: "Token Renovate uses on the git platform", required: true } },
  build(ctx) {
    const s = ctx.settings;
    const token = ctx.secrets.renovateToken;
    if (token === undefined) {
      throw new Error(
        "Missing secret config platform:renovateToken: renovate is enabled; set it with `pulumi config set --secret platform:renovateToken <value>`",
      );
    }
    const ns = "renovate";
    const objects: KubeObject[] = [
      namespaceObject(ns),
      ...baselineNetworkPolicies(ns),
      {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: { name: "allow-https-egress", namespace: ns },
        // Renovate talks to the git platform and to registries over HTTPS only, on the
        // internet: nothing in the cluster, the LAN or the metadata service.
        spec: {
          podSelector: {},
          policyTypes: ["Egress"],
          egress: [
            {
              to: [{ ipBlock: { ...INTERNET_IP_BLOCK, except: [...INTERNET_IP_BLOCK.except] } }],
              ports: [{ protocol: "TCP", port: 443 }],
            },
          ],
        },
      },
      {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "renovate-configmap", namespace: ns },
        // 004's renovate-configmap: platform, no autodiscovery.
        data: { RENOVATE_AUTODISCOVER: "false", RENOVATE_PLATFORM: s.platform, RENOVATE_ONBOARDING: "false" },
      },
      {
        apiVersion: "batch/v1",
        kind: "CronJob",
        metadata: {
          name: "renovate",
          namespace: ns,
          annotations: {
            // The declared opt-out the policy pack honours (policy/exceptions.ts).
            "policy.platform.io/read-only-root-filesystem":
              "004: the renovate image writes to /home/ubuntu as well as its base dir",
          },
        },
        spec: {
          schedule: s.schedule,
          concurrencyPolicy: "Forbid",
          successfulJobsHistoryLimit: 1,
          failedJobsHistoryLimit: 1,
          jobTemplate: {
            spec: {
              backoffLimit: 0,
              template: {
                spec: {
                  // 004: "It has no reason to hold a Kubernetes API credential".
                  automountServiceAccountToken: false,
                  restartPolicy: "Never",
                  securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
                  containers: [
                    {
                      name: "renovate",
                      image: s.image,
                      args: [...s.repositories],
                      envFrom: [
                        { secretRef: { name: "renovate-env" } },
                        { configMapRef: { name: "renovate-configmap" } },
                      ],
                      // 004 keeps the root filesystem writable on purpose ("the image writes to
                      // /home/ubuntu as well as its base dir"); everything else is restricted.
                      // A batch job has no probes: the Job's exit code is its health.
                      securityContext: { ...RESTRICTED_CONTAINER, readOnlyRootFilesystem: false },
                      // 004: requests 100m/512Mi, memory limit 2Gi, no CPU limit.
                      resources: { requests: { cpu: "100m", memory: "512Mi" }, limits: { memory: "2Gi" } },
                    },
                  ],
                },
              },
            },
          },
        },
      },
    ];
    const bundle: Bundle = {
      kind: "bundle",
      name: "renovate",
      layer: "infrastructure-controllers",
      namespace: ns,
      objects,
    };
    return {
      items: [bundle],
      liveSecrets: [{ name: "renovate-env", namespace: ns, stringData: { RENOVATE_TOKEN: token } }],
    };
  },
});
