/** Entry point of the post step (dist/post). */
import { runPost } from './run-post.js';

void runPost();
