/** Entry point of the main step (dist/main). */
import { runMain } from './run-main.js';

// runMain never rejects: it ends in core.setFailed.
void runMain();
