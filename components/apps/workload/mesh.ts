/**
 * Istio objects of an app in the sidecar mesh (security.istio.io/v1 and networking.istio.io/v1,
 * https://istio.io/latest/docs/reference/config/security/):
 * - PeerAuthentication: STRICT mTLS for the app's pods, PERMISSIVE on the metrics port so the
 *   scraper outside the mesh can still read it;
 * - DestinationRule: clients use Istio mTLS (ISTIO_MUTUAL) to the app's Service;
 * - RequestAuthentication: JWTs from the issuer are validated (a request without a token
 *   passes this check, "RequestAuthentication" docs), so
 * - AuthorizationPolicy: the service ports require a valid token (`requestPrincipals: ["*"]`,
 *   the docs' "require JWT" pattern); the metrics port is open (the NetworkPolicy limits it);
 * - Telemetry (telemetry.istio.io/v1): the sidecars' access log, to the proxy's standard output
 *   through Istio's built-in `envoy` provider, which needs no backend (Istio "Envoy Access
 *   Logs", "Using Telemetry API": `accessLogging: [{providers: [{name: envoy}]}]`). It is off
 *   until something enables it: the istiod chart's mesh config sets no access log file
 *   (istio-discovery values.yaml `meshConfig: {enablePrometheusMerge: true}`). A narrower
 *   Telemetry overrides only the fields it specifies (Istio "Telemetry API", "Scope,
 *   Inheritance, and Overrides"), so the istio service's mesh-wide tracing still applies.
 */
import type { KubeObject } from "../../gitops/delivery";
import { controllerObjectName } from "./controllers";
import { containerPort } from "./network";
import type { AppSpec } from "./types";

export function meshObjects(app: AppSpec, namespace: string): KubeObject[] {
  if (!app.mesh) return [];
  const selector = { matchLabels: { "app.kubernetes.io/name": app.name } };
  const metricsPort = app.metrics ? containerPort(app, app.metrics.port) : undefined;
  const objects: KubeObject[] = [
    {
      apiVersion: "security.istio.io/v1",
      kind: "PeerAuthentication",
      metadata: { name: app.name },
      spec: {
        selector,
        mtls: { mode: "STRICT" },
        ...(metricsPort !== undefined
          ? { portLevelMtls: { [String(metricsPort)]: { mode: "PERMISSIVE" } } }
          : {}),
      },
    },
    {
      apiVersion: "telemetry.istio.io/v1",
      kind: "Telemetry",
      metadata: { name: app.name },
      spec: { selector, accessLogging: [{ providers: [{ name: "envoy" }] }] },
    },
  ];
  if (app.service) {
    const service = controllerObjectName(app.name, app.service.controller ?? app.name);
    objects.push({
      apiVersion: "networking.istio.io/v1",
      kind: "DestinationRule",
      metadata: { name: app.name },
      spec: {
        host: `${service}.${namespace}.svc.cluster.local`,
        trafficPolicy: { tls: { mode: "ISTIO_MUTUAL" } },
      },
    });
  }
  const jwt = app.mesh.jwt;
  if (jwt) {
    objects.push({
      apiVersion: "security.istio.io/v1",
      kind: "RequestAuthentication",
      metadata: { name: app.name },
      spec: {
        selector,
        jwtRules: [
          {
            issuer: jwt.issuer,
            jwksUri: jwt.jwksUri,
            ...(jwt.audiences?.length ? { audiences: [...jwt.audiences] } : {}),
          },
        ],
      },
    });
    const servicePorts = Object.entries(app.service?.ports ?? {})
      .filter(([name]) => name !== app.metrics?.port)
      .map(([name]) => String(containerPort(app, name)));
    objects.push({
      apiVersion: "security.istio.io/v1",
      kind: "AuthorizationPolicy",
      metadata: { name: app.name },
      spec: {
        selector,
        action: "ALLOW",
        rules: [
          { from: [{ source: { requestPrincipals: ["*"] } }], to: [{ operation: { ports: servicePorts } }] },
          ...(metricsPort !== undefined ? [{ to: [{ operation: { ports: [String(metricsPort)] } }] }] : []),
        ],
      },
    });
  }
  return objects;
}
