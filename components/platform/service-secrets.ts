/** Secret config a service builder cannot run without. */

import type * as pulumi from "@pulumi/pulumi";

export function requireSecret(
  secrets: Readonly<Record<string, pulumi.Output<string>>>,
  key: string,
  why: string,
): pulumi.Output<string> {
  const value = secrets[key];
  if (value === undefined) {
    throw new Error(
      `Missing secret config platform:${key}: ${why}; set it with \`pulumi config set --secret platform:${key} <value>\``,
    );
  }
  return value;
}
