/**
 * Shell helpers shared by the scripts the cluster components run over SSH. Every value
 * that reaches a script goes through {@link shellQuote}, so config can never inject shell.
 */

/** Quotes a value for POSIX `sh` with single quotes. */
export function shellQuote(value: string): string {
  if (/^[A-Za-z0-9_./:=@%+,-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'"'"'`)}'`;
}

/**
 * Script preamble: strict mode and `$SUDO`, empty when the SSH user is root. `sudo -n`
 * fails at once instead of hanging on a password prompt the command provider cannot answer.
 */
export const SCRIPT_PRELUDE = ["set -eu", 'SUDO=""; if [ "$(id -u)" -ne 0 ]; then SUDO="sudo -n"; fi'].join(
  "\n",
);

/** Joins script lines, dropping empty entries, under the standard prelude. */
export function script(...lines: readonly (string | false | undefined)[]): string {
  return [SCRIPT_PRELUDE, ...lines.filter((l): l is string => typeof l === "string" && l.length > 0)].join(
    "\n",
  );
}

/** `uname -m` values per architecture. */
export const UNAME_MACHINE: Readonly<Record<"amd64" | "arm64", string>> = {
  amd64: "x86_64",
  arm64: "aarch64",
};

/** A line that fails the script when the host's CPU is not the configured architecture. */
export function assertArchitecture(arch: "amd64" | "arm64"): string {
  const machine = UNAME_MACHINE[arch];
  return (
    `if [ "$(uname -m)" != ${machine} ]; then ` +
    `echo "host architecture is $(uname -m), config says ${arch} (${machine}); fix config.architecture" >&2; exit 1; fi`
  );
}
