import { generateKeyPairSync } from "node:crypto";
import { publicKeyLine, publicKeyProblem } from "../../lib/ssh";

describe("publicKeyLine", () => {
  it("derives the Ed25519 public key from a PKCS#8 key", () => {
    const { privateKey, publicKey } = generateKeyPairSync("ed25519");
    const line = publicKeyLine(privateKey.export({ type: "pkcs8", format: "pem" }).toString());
    const x = Buffer.from(publicKey.export({ format: "jwk" }).x!, "base64url");
    expect(line.startsWith("ssh-ed25519 ")).toBe(true);
    expect(Buffer.from(line.split(" ")[1], "base64").subarray(-32)).toEqual(x);
    expect(publicKeyProblem(line)).toBeUndefined();
  });

  it("derives an RSA public key from a PKCS#1 key", () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const line = publicKeyLine(privateKey.export({ type: "pkcs1", format: "pem" }).toString());
    expect(line.startsWith("ssh-rsa AAAAB3NzaC1yc2E")).toBe(true);
    expect(publicKeyProblem(line)).toBeUndefined();
  });

  it("reads the public key stored in the clear in an openssh-key-v1 file", () => {
    const pub = Buffer.concat([
      Buffer.from([0, 0, 0, 11]),
      Buffer.from("ssh-ed25519"),
      Buffer.from([0, 0, 0, 32]),
      Buffer.alloc(32, 7),
    ]);
    const str = (b: Buffer | string) => {
      const data = Buffer.from(b);
      const len = Buffer.alloc(4);
      len.writeUInt32BE(data.length);
      return Buffer.concat([len, data]);
    };
    const count = Buffer.alloc(4);
    count.writeUInt32BE(1);
    const body = Buffer.concat([
      Buffer.from("openssh-key-v1\0"),
      str("none"),
      str("none"),
      str(""),
      count,
      str(pub),
      str("private part not read"),
    ]);
    const pem = `-----BEGIN OPENSSH PRIVATE KEY-----\n${body.toString("base64")}\n-----END OPENSSH PRIVATE KEY-----\n`;
    expect(publicKeyLine(pem)).toBe(`ssh-ed25519 ${pub.toString("base64")}`);
  });

  it("rejects what is not a key without echoing it", () => {
    expect(() => publicKeyLine("FAKE-OFFLINE-secret")).toThrow(
      "not an OpenSSH, PKCS#8 or PKCS#1 private key",
    );
  });
});

describe("publicKeyProblem", () => {
  it.each([
    [
      "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHomelabStagingOperatorKeyReplaceMe000000 op@x",
      "the key data is truncated",
    ],
    ["ssh-ed25519 AAAAfakefakefake test@example", "the key data is truncated"],
    [
      `ssh-ed25519 ${Buffer.concat([Buffer.from([0, 0, 0, 7]), Buffer.from("ssh-rsa")]).toString("base64")}`,
      'the key data says "ssh-rsa", not ssh-ed25519',
    ],
    ["ssh-ed25519", 'expected "<type> <base64> [comment]"'],
    ["ssh-rsa not-base64!", "the key data is not base64"],
  ])("rejects %s", (line, problem) => expect(publicKeyProblem(line)).toContain(problem));
});
