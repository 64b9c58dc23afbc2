/**
 * geored's version, for `geored --version`. By the package's own name where package.json exports itself
 * (the path then holds from src/ and from a build in dist/ alike), else relative to src/cli/.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

function readVersion(): string {
  for (const id of ['geored/package.json', '../../package.json']) {
    try {
      return (require(id) as { version: string }).version;
    } catch {
      // not resolvable this way here: the next one
    }
  }
  throw new Error('geored: package.json not found beside the sources or the build');
}

export const VERSION = readVersion();
