/** Entry point of the pre step (dist/pre): one call, nothing else at start-up. */
import { runPre } from './run-pre.js';

void runPre();
