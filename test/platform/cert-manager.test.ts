/* eslint-disable @typescript-eslint/no-explicit-any -- the tests walk plain manifest trees */
import { validateItems, type Addon, type Bundle } from "../../components/gitops/delivery";
import { certManagerService } from "../../components/platform/cert-manager";
import { parseCertManagerSettings } from "../../components/platform/cert-manager/settings";
import { FAKE_TOKEN, clusterOf, contextOf, itemsText, parse } from "./networking-data-fixtures";

const cluster = clusterOf("talos-hcloud", ["cert-manager"], "prod");
const settings = parse(parseCertManagerSettings, cluster, { acmeEmail: "ops@example.org" }, "cert-manager");

describe("cert-manager", () => {
  const build = certManagerService.spec.build(
    contextOf(cluster, settings, { cloudflareApiToken: FAKE_TOKEN }),
  );
  const [chart, issuers] = build.items as [Addon, Bundle];

  it("installs the pinned jetstack chart with its CRDs, then the issuers after it", () => {
    expect(build.items.map((i) => i.name)).toEqual(["cert-manager", "cert-manager-issuers"]);
    expect(chart).toMatchObject({
      repository: "https://charts.jetstack.io",
      chart: "cert-manager",
      version: "v1.19.1",
      layer: "infrastructure-controllers",
      includeCrds: true,
      values: { crds: { enabled: true, keep: true } },
    });
    expect(issuers.layer).toBe("infrastructure-configs");
    expect(issuers.dependsOn).toEqual(["cert-manager"]);
    expect(() => validateItems(build.items, { complete: false })).not.toThrow();
  });

  it("has a staging and a production ClusterIssuer solving DNS-01 through Cloudflare", () => {
    expect(issuers.objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      "ClusterIssuer/letsencrypt-staging",
      "ClusterIssuer/letsencrypt-production",
    ]);
    const [staging, production] = issuers.objects as unknown as Array<{
      spec: { acme: Record<string, any> };
    }>;
    expect(staging.spec.acme.server).toBe("https://acme-staging-v02.api.letsencrypt.org/directory");
    expect(production.spec.acme.server).toBe("https://acme-v02.api.letsencrypt.org/directory");
    expect(production.spec.acme.email).toBe("ops@example.org");
    expect(production.spec.acme.solvers).toEqual([
      {
        selector: { dnsZones: ["example.org"] },
        dns01: { cloudflare: { apiTokenSecretRef: { name: "cloudflare-api-token", key: "api-token" } } },
      },
    ]);
  });

  it("passes the token only as a live Secret in the cert-manager namespace", () => {
    expect(build.liveSecrets.map((s) => `${s.namespace}/${s.name}`)).toEqual([
      "cert-manager/cloudflare-api-token",
    ]);
    expect(itemsText(build.items)).not.toContain(FAKE_TOKEN);
  });

  it("ignores the caBundle cainjector writes", () => {
    expect(chart.ignoreDifferences?.map((d) => `${d.kind}/${d.name}:${d.jsonPointers.join()}`)).toEqual([
      "MutatingWebhookConfiguration/cert-manager-webhook:/webhooks/0/clientConfig/caBundle",
      "ValidatingWebhookConfiguration/cert-manager-webhook:/webhooks/0/clientConfig/caBundle",
    ]);
  });

  it("fails without the Cloudflare token, naming the key", () => {
    expect(() => certManagerService.spec.build(contextOf(cluster, settings))).toThrow(
      'cert-manager on cluster "prod": secret config platform:cloudflareApiToken is required for the DNS-01 issuers; set it with pulumi config set --secret platform:cloudflareApiToken <token>',
    );
  });

  it("leaves the optional ACME email out unless set, and checks it when set", () => {
    expect(parse(parseCertManagerSettings, cluster, {}, "cert-manager").acmeEmail).toBeUndefined();
    expect(() => parse(parseCertManagerSettings, cluster, { acmeEmail: "nope" }, "cert-manager")).toThrow(
      'Invalid config platform:clusters.prod.serviceSettings.cert-manager.acmeEmail = "nope": expected the ACME account email, e.g. admin@example.org',
    );
  });
});
