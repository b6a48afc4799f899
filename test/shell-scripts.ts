/**
 * Every shell script a synth renders: the create/update/delete scripts of `@pulumi/command`
 * resources (with the shell of their interpreter) and the `sh -c` / `bash -c` scripts of
 * containers and exec probes in the planned and emitted Kubernetes objects.
 */
import type { RecordedResource } from "../lib/mock-runtime";
import type { PlannedObject } from "../tools/plan";

export interface RenderedScript {
  /** Where it comes from: `<resource>.<create|update|delete>` or `<Kind>/<name> <path>`. */
  readonly where: string;
  readonly shell: "sh" | "bash";
  readonly text: string;
}

const SHELL = /(?:^|\/)(sh|bash|ash|dash)$/;
const shellOf = (binary: string): "sh" | "bash" => (/bash$/.test(binary) ? "bash" : "sh");

/** A `[shell, -c..., script]` argv (command and args joined) as a script, if it is one. */
function scriptOfArgv(argv: readonly unknown[]): { shell: "sh" | "bash"; text: string } | undefined {
  const i = argv.findIndex((a) => typeof a === "string" && /^-[a-z]*c$/.test(a));
  if (i < 1 || typeof argv[i - 1] !== "string" || !SHELL.test(argv[i - 1] as string)) return undefined;
  const text = argv[i + 1];
  return typeof text === "string" ? { shell: shellOf(argv[i - 1] as string), text } : undefined;
}

export function renderedScripts(
  resources: readonly RecordedResource[],
  objects: readonly PlannedObject[],
): RenderedScript[] {
  const found: RenderedScript[] = [];
  for (const r of resources) {
    if (!r.type.startsWith("command:")) continue;
    const interpreter = r.inputs["interpreter"];
    // @pulumi/command's local default interpreter is /bin/sh -c; remote commands run in the
    // login shell of the host, which the K3s hosts' scripts are written for as POSIX sh.
    const shell =
      Array.isArray(interpreter) && typeof interpreter[0] === "string" ? shellOf(interpreter[0]) : "sh";
    for (const key of ["create", "update", "delete"] as const) {
      const text = r.inputs[key];
      if (typeof text === "string") found.push({ where: `${r.name}.${key}`, shell, text });
    }
  }
  const walk = (value: unknown, where: string): void => {
    if (Array.isArray(value)) return value.forEach((v, i) => walk(v, `${where}[${i}]`));
    if (value === null || typeof value !== "object") return;
    const record = value as Record<string, unknown>;
    if (Array.isArray(record["command"])) {
      const argv = [
        ...(record["command"] as unknown[]),
        ...(Array.isArray(record["args"]) ? (record["args"] as unknown[]) : []),
      ];
      const script = scriptOfArgv(argv);
      if (script) found.push({ where, ...script });
    }
    for (const [key, v] of Object.entries(record)) walk(v, `${where}.${key}`);
  };
  for (const o of objects) {
    const metadata = (o.object["metadata"] ?? {}) as { name?: string; namespace?: string };
    walk(
      o.object,
      `${String(o.object["kind"])}/${metadata.namespace ? `${metadata.namespace}/` : ""}${metadata.name ?? ""}`,
    );
  }
  return found;
}
