/**
 * The platform services the program ships: one plain list of definitions (defineService in
 * ./types.ts), one folder each (`components/platform/<service>/`), each carrying its catalog
 * entry, its charts and its settings parser.
 */
import { certManagerService } from "./cert-manager";
import { ciliumGatewayService } from "./cilium-gateway";
import { cloudnativePgService } from "./cloudnative-pg";
import { clusterAutoscalerService } from "./cluster-autoscaler";
import { deschedulerService } from "./descheduler";
import { externalSecretsService } from "./external-secrets";
import { istioService } from "./istio";
import { kubePrometheusStackService } from "./kube-prometheus-stack";
import { longhornService } from "./longhorn";
import { metallbService } from "./metallb";
import { metricsServerService } from "./metrics-server";
import { onePasswordOperatorService } from "./onepassword-operator";
import { renovateService } from "./renovate";
import { sealedSecretsService } from "./sealed-secrets";
import { synologyNfsService } from "./synology-nfs";
import { traefikService } from "./traefik";
import type { ServiceDefinition } from "./types";
import { victoriaLogsService } from "./victoria-logs";
import { victoriaMetricsService } from "./victoria-metrics";
import { vpaService } from "./vpa";

/** Every built-in platform service. */
export const BUILT_IN_SERVICES: readonly ServiceDefinition[] = [
  certManagerService,
  cloudnativePgService,
  longhornService,
  synologyNfsService,
  metallbService,
  traefikService,
  ciliumGatewayService,
  istioService,
  kubePrometheusStackService,
  victoriaMetricsService,
  victoriaLogsService,
  externalSecretsService,
  onePasswordOperatorService,
  sealedSecretsService,
  metricsServerService,
  vpaService,
  deschedulerService,
  clusterAutoscalerService,
  renovateService,
];
