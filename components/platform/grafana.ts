/** Grafana as both metrics stacks install it: its admin Secret and chart values. */

import { generatedPassword } from "../../lib/generated-password";
import type { JsonValue, LiveSecret } from "../gitops/delivery";
import type { ServiceContext } from "./types";

/** Secret the Grafana chart reads through `admin.existingSecret` (004's release uses exactly these keys). */
export const GRAFANA_ADMIN_SECRET = "grafana-admin";

/** A generated Grafana admin password in a live Secret (never a chart value). */
export function grafanaAdmin(ctx: ServiceContext<unknown>, service: string, namespace: string): LiveSecret {
  const password = generatedPassword(
    `${ctx.cluster.name}-${service}-grafana-admin`,
    { length: 32, special: false },
    ctx.parent,
  );
  return {
    name: GRAFANA_ADMIN_SECRET,
    namespace,
    stringData: { "admin-user": "admin", "admin-password": password.result },
  };
}

/** Grafana values shared by both stacks: admin from the live Secret, persistent dashboards. */
export function grafanaValues(storageClass: string, size: string): { [key: string]: JsonValue } {
  return {
    enabled: true,
    // grafana chart values: admin.existingSecret / userKey / passwordKey.
    admin: { existingSecret: GRAFANA_ADMIN_SECRET, userKey: "admin-user", passwordKey: "admin-password" },
    persistence: { enabled: true, storageClassName: storageClass, size },
  };
}
