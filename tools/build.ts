/**
 * The build's stamp step (see lib/build-stamp.ts). `npm run build` runs, from the compiled
 * copy of this file: `--check` (exit 0 when `bin/` is fresh, so the compile is skipped),
 * else `tsc -p tsconfig.build.json` and `--write` (which first removes the outputs of sources
 * that no longer exist).
 */
import * as path from "node:path";
import { pruneOrphans, repositoryOfCompiled, staleness, writeStamp } from "../lib/build-stamp";

/** The repository: two levels up from `bin/tools/build.js`. */
const ROOT = repositoryOfCompiled(__filename) ?? path.resolve(__dirname, "..");

if (require.main === module) {
  const [mode] = process.argv.slice(2);
  if (mode === "--write") {
    pruneOrphans(ROOT);
    writeStamp(ROOT);
  } else if (mode === "--check") {
    const stale = staleness(ROOT);
    if (stale !== undefined) {
      process.stderr.write(`${stale}\n`);
      process.exit(1);
    }
  } else {
    process.stderr.write("usage: node bin/tools/build.js --check|--write\n");
    process.exit(64);
  }
}
