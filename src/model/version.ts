/**
 * geored's version (package.json), for `geored --version` and the OpenAPI document. Read by the package's
 * own name, which package.json exports, so the path holds from src/ and from the build in dist/ alike.
 */
import { createRequire } from 'node:module';

export const VERSION = (createRequire(import.meta.url)('geored/package.json') as { version: string }).version;
