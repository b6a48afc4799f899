/** Jest global teardown: removes the run's synth cache (test/setup/synth-cache.ts). */
import { teardown } from "./synth-cache";

export default teardown;
