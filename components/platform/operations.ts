/**
 * The `operations` group registry: catalog name -> builder, and the secret config keys the
 * group reads. The lead merges it with the other groups (stacks/delivery.ts, config/keys.ts).
 */
import type { ServiceDefinition, ServiceSecretSpec } from "./types";
import {
  clusterAutoscalerService,
  deschedulerService,
  metricsServerService,
  renovateService,
  vpaService,
} from "./clusterHelpers";
import { kubePrometheusStackService, victoriaLogsService, victoriaMetricsService } from "./monitoring";
import { externalSecretsService, onePasswordOperatorService, sealedSecretsService } from "./secretOperators";

export { baselineNetworkPolicies, platformPriorityClasses } from "./clusterHelpers";

/** Definitions keyed by service name. */
export const OPERATIONS_SERVICES: Readonly<Record<string, ServiceDefinition>> = {
  "kube-prometheus-stack": kubePrometheusStackService,
  "victoria-metrics": victoriaMetricsService,
  "victoria-logs": victoriaLogsService,
  "external-secrets": externalSecretsService,
  "onepassword-operator": onePasswordOperatorService,
  "sealed-secrets": sealedSecretsService,
  "metrics-server": metricsServerService,
  vpa: vpaService,
  descheduler: deschedulerService,
  "cluster-autoscaler": clusterAutoscalerService,
  renovate: renovateService,
};

/** Secret config keys of the group, with the services that read them. */
export const OPERATIONS_SECRETS: Readonly<
  Record<string, ServiceSecretSpec & { readonly services: readonly string[] }>
> = (() => {
  const out: Record<string, ServiceSecretSpec & { services: string[] }> = {};
  for (const def of Object.values(OPERATIONS_SERVICES)) {
    for (const [key, spec] of Object.entries(def.secrets ?? {})) {
      const entry = (out[key] ??= { ...spec, services: [] });
      entry.services.push(def.name);
    }
  }
  return out;
})();
