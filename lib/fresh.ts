/**
 * Imported first by every entry point (index.ts and the offline tools). When running from
 * the compiled `bin/`, it stops the process before anything else loads if `bin/` is older
 * than the sources; from the TypeScript sources (Jest) it does nothing.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { repositoryOfCompiled, staleness } from "./build-stamp";

const root = repositoryOfCompiled(__filename);
const stale = root === undefined ? undefined : staleness(root);
if (stale !== undefined) {
  // An offline tool (bin/tools/*.js) says it in one line; under the Pulumi CLI a RunError
  // is printed as its message alone, without a stack trace.
  if (require.main?.filename.includes(`${path.sep}bin${path.sep}tools${path.sep}`)) {
    process.stderr.write(`error: ${stale}\n`);
    process.exit(2);
  }
  throw new pulumi.RunError(stale);
}
