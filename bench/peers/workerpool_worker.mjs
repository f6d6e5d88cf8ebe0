// workerpool's worker script: registers the same task functions as tasks.mjs. workerpool is
// loaded with require (it is CommonJS), which also keeps `deno check` from resolving it.
import { createRequire } from "node:module";
import power10, { hitCount, power10Chunk } from "./tasks.mjs";

const workerpool = createRequire(import.meta.url)("workerpool");
workerpool.worker({ power10, power10Chunk, hitCount });
