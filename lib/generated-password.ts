/**
 * The passwords builders generate, and the dry pass that builds a stack's delivery items
 * without registering anything: the capacity preflight and the builders' own config checks
 * run on those items before the first resource of the stack exists (stacks/preflight.ts).
 */
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";

/** Stands in for the parent of generated passwords in the dry pass: nothing is registered. */
export const DRY_RUN: unique symbol = Symbol("dry run");

/** The parent of a builder's generated passwords, or {@link DRY_RUN}. */
export type PasswordParent = pulumi.Resource | typeof DRY_RUN;

/** A generated password's value and its bcrypt hash (both secret Outputs). */
export interface GeneratedPassword {
  readonly result: pulumi.Output<string>;
  readonly bcryptHash: pulumi.Output<string>;
}

/**
 * A `random.RandomPassword` under `parent`; in the dry pass, secret placeholder values and no
 * resource (the dry pass reads only the items' shape, never a password).
 */
export function generatedPassword(
  name: string,
  args: random.RandomPasswordArgs,
  parent: PasswordParent,
): GeneratedPassword {
  if (parent === DRY_RUN)
    return { result: pulumi.secret(`dry-run-${name}`), bcryptHash: pulumi.secret(`dry-run-bcrypt-${name}`) };
  const password = new random.RandomPassword(name, args, { parent });
  return { result: password.result, bcryptHash: password.bcryptHash };
}
