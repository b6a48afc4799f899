/**
 * Grafana dashboards for what the platform runs, loaded the way the grafana chart (the
 * subchart of both metrics stacks) loads them: a file provider in `dashboardProviders` and
 * `dashboards.<provider>.<name>` entries with a pinned `url` or a grafana.com `gnetId` and
 * `revision`, which the chart's `download-dashboards` init container fetches into the
 * provider's path when Grafana starts (grafana/helm-charts charts/grafana
 * templates/_config.tpl `download_dashboards.sh`: `https://grafana.com/api/dashboards/<gnetId>/
 * revisions/<revision>/download`, or the `url` as is).
 *
 * A dashboard exported for sharing names its data source through an input, `${DS_PROMETHEUS}`;
 * a `datasource` list on the entry makes the script replace `${<name>}` with the value
 * (`sed 's/${<name>}/<value>/g'`, the same template). The value is the stack's Prometheus data
 * source by name: Grafana resolves a data source reference by uid, then by name
 * (public/app/features/plugins/datasource_srv.ts `getInstanceSettings`: `settingsMapByUid[nameOrUid]
 * ?? settingsMapByName[nameOrUid]`).
 */
import { ConfigError, type Reader } from "../../config/reader";
import type { JsonValue } from "../gitops/delivery";

/** The grafana chart's provider of the platform's dashboards, apart from each stack's sidecar provider. */
export const DASHBOARD_PROVIDER = "platform";

/**
 * Where the provider reads its files: the chart's init container writes each dashboard there,
 * on Grafana's volume (`/var/lib/grafana`). Not under `/var/lib/grafana/dashboards`: the
 * victoria-metrics stack points its dashboard sidecar there (values.yaml
 * `grafana.sidecar.dashboards.folder`), and the chart mounts the sidecar's emptyDir at that
 * folder in the Grafana container, which would hide the downloaded files.
 */
export const DASHBOARD_PATH = `/var/lib/grafana/${DASHBOARD_PROVIDER}-dashboards`;

/** One dashboard: a grafana.com dashboard at a revision, or a JSON file at a pinned URL. */
export type DashboardSource =
  | { readonly gnetId: number; readonly revision: number; readonly datasourceInput: string }
  | { readonly url: string; readonly datasourceInput: string };

/**
 * CloudNativePG's own dashboard (grafana.com 20417: cloudnative-pg/grafana-dashboards
 * .github/workflows/release-publish-grafana.yml `DASHBOARD_ID: 20417`), at the commit of that
 * repository whose charts/cluster/grafana-dashboard.json was read for this change (its
 * `__inputs`: one Prometheus data source `DS_PROMETHEUS`). A commit, not a grafana.com
 * revision: the repository publishes the JSON, grafana.com's revision numbers are nowhere in it.
 */
export const CLOUDNATIVE_PG_DASHBOARD: DashboardSource = {
  url: "https://raw.githubusercontent.com/cloudnative-pg/grafana-dashboards/04817c84ed86d4198330c984d46c2cf9ca098fb8/charts/cluster/grafana-dashboard.json",
  datasourceInput: "DS_PROMETHEUS",
};

/** The dashboards a cluster gets for the services it runs. */
export function builtInDashboards(services: readonly string[]): Record<string, DashboardSource> {
  return services.includes("cloudnative-pg") ? { "cloudnative-pg": CLOUDNATIVE_PG_DASHBOARD } : {};
}

/** Dashboard settings of a metrics stack (`serviceSettings.<stack>.dashboards`). */
export interface DashboardSettings {
  /**
   * The dashboards of the services the cluster runs (CloudNativePG's with `cloudnative-pg`).
   * @default true
   */
  readonly builtIn: boolean;
  /**
   * More dashboards by file name: `{gnetId, revision}` of a grafana.com dashboard or `{url}` of
   * a JSON file at a pinned tag or commit, each with `datasourceInput` (the `__inputs` name
   * its panels use for the data source).
   * @default none
   */
  readonly extra: Readonly<Record<string, DashboardSource>>;
}

const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** A branch or moving name in a URL path: the file could change under the same pin. */
const MOVING_REF = /\/(main|master|latest|HEAD|refs\/heads\/[^/]+)\//;

/** Reads `dashboards` of a metrics stack's settings. */
export function parseDashboardSettings(r: Reader): DashboardSettings {
  const d = r.optionalObject("dashboards").only(["builtIn", "extra"]);
  const builtIn = d.boolean("builtIn", true);
  const extra: Record<string, DashboardSource> = {};
  const block = d.optionalObject("extra");
  for (const name of Object.keys(block.value)) {
    if (!NAME.test(name))
      throw new ConfigError(
        block.key(name),
        block.value[name],
        "the dashboard's name becomes its file name: lowercase letters, digits and '-'",
      );
    const e = block.object(name).only(["gnetId", "revision", "url", "datasourceInput"]);
    const datasourceInput = e.string(
      "datasourceInput",
      {
        pattern: /^[A-Za-z_][A-Za-z0-9_]*$/,
        expected: "the name of the dashboard's data source input, such as DS_PROMETHEUS",
      },
      "DS_PROMETHEUS",
    );
    if (e.has("url") === e.has("gnetId"))
      throw new ConfigError(
        e.path,
        e.value,
        "set either url (a dashboard JSON at a pinned tag or commit) or gnetId with revision (a grafana.com dashboard)",
      );
    if (e.has("url")) {
      if (e.has("revision"))
        throw new ConfigError(
          e.key("revision"),
          e.value["revision"],
          "revision goes with gnetId, not with url; pin the url instead",
        );
      const url = e.string("url", {
        pattern: /^https:\/\/\S+\.json$/,
        expected: "an https URL of a .json file",
      });
      if (MOVING_REF.test(url))
        throw new ConfigError(
          e.key("url"),
          url,
          "the URL names a branch, so the dashboard would change without a change here; use a tag or a commit SHA in its path",
        );
      extra[name] = { url, datasourceInput };
    } else {
      // The chart falls back to revision 1 without one; a pin is required here instead.
      if (!e.has("revision"))
        throw new ConfigError(
          e.key("revision"),
          undefined,
          "required with gnetId; set the grafana.com revision to pin (the dashboard page lists them)",
        );
      extra[name] = {
        gnetId: e.integer("gnetId", { min: 1 }),
        revision: e.integer("revision", { min: 1 }),
        datasourceInput,
      };
    }
  }
  return { builtIn, extra };
}

/**
 * The grafana chart values that load the dashboards: the file provider and one entry per
 * dashboard; none when there is nothing to load (the chart then renders no init container).
 */
export function dashboardValues(
  settings: DashboardSettings,
  services: readonly string[],
  datasource: string,
): { [key: string]: JsonValue } {
  const all = { ...(settings.builtIn ? builtInDashboards(services) : {}), ...settings.extra };
  const names = Object.keys(all).sort();
  if (names.length === 0) return {};
  return {
    // Grafana "Provision Grafana" docs, dashboards: a `file` provider reading `options.path`.
    // The chart reads the key `dashboardproviders.yaml` to find where each provider's files go.
    dashboardProviders: {
      "dashboardproviders.yaml": {
        apiVersion: 1,
        providers: [
          {
            name: DASHBOARD_PROVIDER,
            orgId: 1,
            folder: "Platform",
            type: "file",
            disableDeletion: true,
            allowUiUpdates: false,
            options: { path: DASHBOARD_PATH },
          },
        ],
      },
    },
    dashboards: {
      [DASHBOARD_PROVIDER]: Object.fromEntries(
        names.map((name) => {
          const { datasourceInput, ...source } = all[name];
          return [name, { ...source, datasource: [{ name: datasourceInput, value: datasource }] }];
        }),
      ),
    },
  };
}
