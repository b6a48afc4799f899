/**
 * The offline synth of a shipped stack file with an edit applied: the project file and the
 * stack file are copied to a temporary directory, `edit` changes the stack file's YAML
 * document (comments kept), and the copy is synthesized and removed again.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseDocument, type Document } from "yaml";
import { synthesize, type SynthResult } from "../../tools/synth";

const ROOT = path.join(__dirname, "..", "..");

export async function synthEdited(stack: string, edit: (doc: Document) => void): Promise<SynthResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `synth-${stack}-`));
  try {
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    const doc = parseDocument(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8"));
    edit(doc);
    fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), doc.toString());
    return await synthesize(stack, dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
