/** Entry point of the post step (dist/post). */
import { runPost } from './run-post.js';

// runPost never rejects: it ends in core.setFailed.
void runPost();
