/** The Hetzner Cloud provider, built from typed config. */
import * as hcloud from "@pulumi/hcloud";
import * as pulumi from "@pulumi/pulumi";

/** An explicit hcloud provider: the token comes from secret stack config, never the environment. */
export function hcloudProvider(
  name: string,
  token: pulumi.Output<string>,
  opts?: pulumi.CustomResourceOptions,
): hcloud.Provider {
  return new hcloud.Provider(name, { token: pulumi.secret(token) }, opts);
}
