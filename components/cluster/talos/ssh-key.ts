/**
 * The SSH key every server is created with. Talos runs no SSH daemon, so nobody ever logs
 * in with it; it exists because Hetzner e-mails a root password for every server created
 * without one ("If you do not specify an SSH key, a root password will be sent to you by
 * e-mail", Hetzner Cloud API `POST /servers` `ssh_keys`). The key is 32 random bytes taken
 * as an Ed25519 public key whose private half never existed.
 * @see https://docs.hetzner.cloud/reference/cloud#servers-create-a-server
 */

/** `ssh-ed25519 <blob> <comment>` for a 32-byte key (RFC 8709 section 4: string "ssh-ed25519", string key). */
export function ed25519PublicKeyLine(key: Buffer, comment: string): string {
  const str = (b: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(b.length);
    return Buffer.concat([length, b]);
  };
  const blob = Buffer.concat([str(Buffer.from("ssh-ed25519")), str(key)]);
  return `ssh-ed25519 ${blob.toString("base64")} ${comment}`;
}
