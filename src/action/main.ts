/** Entry point of the main step (dist/main). */
import { runMain } from './run-main.js';

void runMain();
