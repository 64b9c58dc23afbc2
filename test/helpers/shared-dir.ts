import { fileURLToPath } from 'node:url';

/** `../shared` beside the repository, wherever the repository was cloned (CI clones it elsewhere). */
export const SHARED_DIR = fileURLToPath(new URL('../../../shared', import.meta.url));
