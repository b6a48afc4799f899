/**
 * OpenSSH key helpers: the public half of a private key (so a VM is given exactly the key
 * Pulumi connects with, never a placeholder) and a structural check of a public key line.
 * @see https://github.com/openssh/openssh-portable/blob/master/PROTOCOL.key (openssh-key-v1)
 * @see https://www.rfc-editor.org/rfc/rfc4253#section-6.6 (public key blobs)
 */
import { createHash, createPrivateKey, createPublicKey } from "node:crypto";

/** Reads SSH wire-format strings (uint32 length + bytes) from a buffer. */
class WireReader {
  private offset = 0;
  constructor(private readonly buffer: Buffer) {}

  bytes(): Buffer {
    if (this.offset + 4 > this.buffer.length) throw new Error("truncated key");
    const length = this.buffer.readUInt32BE(this.offset);
    const start = this.offset + 4;
    if (start + length > this.buffer.length) throw new Error("truncated key");
    this.offset = start + length;
    return this.buffer.subarray(start, start + length);
  }

  string(): string {
    return this.bytes().toString("latin1");
  }

  uint32(): number {
    if (this.offset + 4 > this.buffer.length) throw new Error("truncated key");
    const value = this.buffer.readUInt32BE(this.offset);
    this.offset += 4;
    return value;
  }
}

function wireString(data: Buffer | string): Buffer {
  const bytes = typeof data === "string" ? Buffer.from(data, "latin1") : data;
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

/** An unsigned big-endian integer as an SSH mpint (a leading zero when the top bit is set). */
function mpint(unsigned: Buffer): Buffer {
  let start = 0;
  while (start < unsigned.length - 1 && unsigned[start] === 0) start++;
  const trimmed = unsigned.subarray(start);
  return wireString(trimmed[0] & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
}

const OPENSSH_MAGIC = "openssh-key-v1\0";

/**
 * The `authorized_keys` line (`<type> <base64>`) of a private key in OpenSSH
 * (`BEGIN OPENSSH PRIVATE KEY`, also when passphrase-protected: the public key is stored in
 * the clear), PKCS#8 or PKCS#1 PEM form, for Ed25519 and RSA keys.
 * @throws when the text is not such a key; the message never contains key material.
 */
export function publicKeyLine(privateKey: string): string {
  const text = privateKey.trim();
  const openssh =
    /^-----BEGIN OPENSSH PRIVATE KEY-----\s+([A-Za-z0-9+/=\s]+?)\s+-----END OPENSSH PRIVATE KEY-----$/.exec(
      text,
    );
  if (openssh) {
    const blob = Buffer.from(openssh[1].replace(/\s+/g, ""), "base64");
    if (blob.subarray(0, OPENSSH_MAGIC.length).toString("latin1") !== OPENSSH_MAGIC) {
      throw new Error("not an openssh-key-v1 private key");
    }
    const reader = new WireReader(blob.subarray(OPENSSH_MAGIC.length));
    reader.string(); // cipher
    reader.string(); // kdf
    reader.bytes(); // kdf options
    if (reader.uint32() < 1) throw new Error("the key file holds no key");
    const publicBlob = reader.bytes();
    const type = new WireReader(publicBlob).string();
    return `${type} ${publicBlob.toString("base64")}`;
  }
  let key;
  try {
    key = createPublicKey(createPrivateKey(text));
  } catch {
    throw new Error("not an OpenSSH, PKCS#8 or PKCS#1 private key");
  }
  const jwk = key.export({ format: "jwk" });
  if (jwk.kty === "OKP" && jwk.crv === "Ed25519" && jwk.x) {
    const blob = Buffer.concat([wireString("ssh-ed25519"), wireString(Buffer.from(jwk.x, "base64url"))]);
    return `ssh-ed25519 ${blob.toString("base64")}`;
  }
  if (jwk.kty === "RSA" && jwk.n && jwk.e) {
    const blob = Buffer.concat([
      wireString("ssh-rsa"),
      mpint(Buffer.from(jwk.e, "base64url")),
      mpint(Buffer.from(jwk.n, "base64url")),
    ]);
    return `ssh-rsa ${blob.toString("base64")}`;
  }
  throw new Error(
    `unsupported key type ${String(jwk.kty)}${jwk.crv ? ` ${jwk.crv}` : ""}; use Ed25519 or RSA`,
  );
}

/**
 * What is wrong with an `authorized_keys` line, or `undefined`: the base64 blob must decode
 * and name the same type as the line, and an Ed25519 key must hold 32 bytes (a placeholder
 * such as `AAAA...ReplaceMe` fails here rather than locking the operator out of a host).
 */
export function publicKeyProblem(line: string): string | undefined {
  const [type, data] = line.trim().split(/\s+/);
  if (!type || !data) return 'expected "<type> <base64> [comment]"';
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(data)) return "the key data is not base64";
  try {
    const reader = new WireReader(Buffer.from(data, "base64"));
    const inner = reader.string();
    if (inner !== type) return `the key data says "${inner.slice(0, 24)}", not ${type}`;
    if (type === "ssh-ed25519" && reader.bytes().length !== 32) return "an Ed25519 key holds 32 bytes";
  } catch {
    return "the key data is truncated";
  }
  return undefined;
}

/**
 * An obviously fake, structurally valid openssh-key-v1 private key for offline runs: its
 * public part is an Ed25519 key derived from `seed`, its private part the text
 * NOT-A-REAL-KEY, so {@link publicKeyLine} reads it and nothing can use it.
 */
export function fakeOpenSshPrivateKey(seed: string): string {
  const pub = Buffer.concat([
    wireString("ssh-ed25519"),
    wireString(createHash("sha256").update(seed).digest()),
  ]);
  const count = Buffer.alloc(4);
  count.writeUInt32BE(1);
  const body = Buffer.concat([
    Buffer.from(OPENSSH_MAGIC, "latin1"),
    wireString("none"),
    wireString("none"),
    wireString(""),
    count,
    wireString(pub),
    wireString(`NOT-A-REAL-KEY ${seed}`),
  ]);
  const lines = body.toString("base64").match(/.{1,70}/g) ?? [];
  return ["-----BEGIN OPENSSH PRIVATE KEY-----", ...lines, "-----END OPENSSH PRIVATE KEY-----", ""].join(
    "\n",
  );
}
