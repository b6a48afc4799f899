/**
 * The CrossGuard policy pack: `pulumi preview --policy-pack policy` (from the repository
 * root, after `npm ci`). It wraps the rules of policy/rules.ts, which the offline synth and
 * the tests run directly; this file is never imported by tests, because the PolicyPack
 * constructor starts the analyzer's gRPC server.
 * @see https://www.pulumi.com/docs/iac/using-pulumi/crossguard/
 */
import { PolicyPack, type ResourceValidationArgs } from "@pulumi/policy";
import { EXPOSED_SERVICES } from "./exceptions";
import { CROSSGUARD_RULES, STACK_RULES, type PolicyContext, type PolicyResource } from "./rules";

function toResource(
  args: Pick<ResourceValidationArgs, "type" | "name" | "urn" | "props" | "opts" | "provider">,
): PolicyResource {
  return {
    type: args.type,
    name: args.name,
    urn: args.urn,
    props: args.props as Record<string, unknown>,
    protect: args.opts.protect,
    additionalSecretOutputs: args.opts.additionalSecretOutputs,
    cluster: args.provider?.urn,
  };
}

interface PackConfig {
  exposedServices?: string[];
}

new PolicyPack("platform", {
  description:
    "Pod Security Standards, resource and probe hygiene, pinned images, protection and secret outputs.",
  policies: [
    ...CROSSGUARD_RULES.map((rule) => ({
      name: rule.name,
      description: rule.description,
      enforcementLevel: rule.enforcementLevel,
      configSchema: {
        properties: {
          exposedServices: {
            type: "array" as const,
            items: { type: "string" as const },
            default: [...EXPOSED_SERVICES],
          },
        },
      },
      validateResource: (args: ResourceValidationArgs, report: (message: string) => void) => {
        const config = args.getConfig<PackConfig>();
        const context: PolicyContext = { exposedServices: config.exposedServices ?? [...EXPOSED_SERVICES] };
        rule.check(toResource(args), context).forEach((message) => report(message));
      },
    })),
    ...STACK_RULES.map((rule) => ({
      name: rule.name,
      description: rule.description,
      enforcementLevel: rule.enforcementLevel,
      validateStack: (
        args: { resources: Parameters<typeof toResource>[0][] },
        report: (message: string, urn?: string) => void,
      ) => {
        rule.check(args.resources.map(toResource)).forEach((v) => report(v.message, v.urn));
      },
    })),
  ],
});
