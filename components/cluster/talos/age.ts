/**
 * age X25519 keys, for the etcd snapshots' default encryption: "An X25519 identity is
 * generated as identity = read(CSPRNG, 32) and encoded as Bech32 with HRP AGE-SECRET-KEY-.
 * The corresponding recipient is computed as recipient = X25519(identity, basepoint) ...
 * encoded as Bech32 with HRP age" (age-encryption.org/v1, "The X25519 recipient type").
 * Bech32 as BIP 173 defines it (checksum constant 1), without its 90-character limit.
 * @see https://age-encryption.org/v1
 */
import { createPrivateKey, createPublicKey } from "node:crypto";

const CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
const GENERATOR = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];

function polymod(values: readonly number[]): number {
  let chk = 1;
  for (const v of values) {
    const top = chk >>> 25;
    chk = (((chk & 0x1ffffff) << 5) ^ v) >>> 0;
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) chk = (chk ^ GENERATOR[i]) >>> 0;
  }
  return chk;
}

/** 8-bit bytes as 5-bit groups, the last one zero-padded (BIP 173 `convertbits`). */
function toFiveBits(data: Uint8Array): number[] {
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const byte of data) {
    acc = ((acc << 8) | byte) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out.push((acc >>> bits) & 31);
    }
  }
  if (bits > 0) out.push((acc << (5 - bits)) & 31);
  return out;
}

/** Bech32 of `data` under `hrp`, lowercase (the checksum is always computed over lowercase). */
export function bech32(hrp: string, data: Uint8Array): string {
  const h = hrp.toLowerCase();
  const codes = [...h].map((c) => c.charCodeAt(0));
  const words = toFiveBits(data);
  const expanded = [...codes.map((c) => c >> 5), 0, ...codes.map((c) => c & 31), ...words];
  const mod = polymod([...expanded, 0, 0, 0, 0, 0, 0]) ^ 1;
  const checksum = [0, 1, 2, 3, 4, 5].map((i) => (mod >>> (5 * (5 - i))) & 31);
  return `${h}1${[...words, ...checksum].map((w) => CHARSET[w]).join("")}`;
}

/** PKCS#8 DER prefix of a raw X25519 private key (RFC 8410: OID 1.3.101.110). */
const X25519_PKCS8_PREFIX = Buffer.from("302e020100300506032b656e04220420", "hex");

/** The identity line `AGE-SECRET-KEY-1...` of a 32-byte X25519 secret. */
export function ageIdentity(secret: Uint8Array): string {
  if (secret.length !== 32) throw new Error(`an age X25519 identity is 32 bytes, got ${secret.length}`);
  return bech32("AGE-SECRET-KEY-", secret).toUpperCase();
}

/** The recipient `age1...` of a 32-byte X25519 secret. */
export function ageRecipient(secret: Uint8Array): string {
  if (secret.length !== 32) throw new Error(`an age X25519 identity is 32 bytes, got ${secret.length}`);
  const privateKey = createPrivateKey({
    key: Buffer.concat([X25519_PKCS8_PREFIX, Buffer.from(secret)]),
    format: "der",
    type: "pkcs8",
  });
  const spki = createPublicKey(privateKey).export({ format: "der", type: "spki" });
  return bech32("age", spki.subarray(spki.length - 32));
}
