/** SSH connection arguments for `@pulumi/command` remote commands. */
import type * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";

/** One SSH target. */
export interface SshTarget {
  readonly host: string;
  readonly user: string;
  /** @default 22 */
  readonly port?: number;
  /**
   * The host's public SSH host key (`ssh-ed25519 AAAA...`); the connection fails when the
   * host presents another ("The expected host key to verify the server's identity",
   * @pulumi/command 1.2.1 `remote.ConnectionArgs.hostKey`).
   * @default none (not verified)
   */
  readonly hostKey?: string;
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
    ...(target.hostKey ? { hostKey: target.hostKey } : {}),
  };
}
