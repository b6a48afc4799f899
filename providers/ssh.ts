/** SSH connection arguments for `@pulumi/command` remote commands. */
import type * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";

/** One SSH target. */
export interface SshTarget {
  readonly host: string;
  readonly user: string;
  readonly port?: number;
}

/** Connection args for a host; the private key stays a secret Output. */
export function sshConnection(
  target: SshTarget,
  privateKey: pulumi.Output<string>,
): command.types.input.remote.ConnectionArgs {
  return {
    host: target.host,
    user: target.user,
    port: target.port ?? 22,
    privateKey: pulumi.secret(privateKey),
  };
}
