/**
 * Where geored is installed and which version it is, found by the package's own name (package.json exports
 * itself), so both hold from src/ and from the build in dist/ alike: `geored --version`, the OpenAPI
 * document, and the admin panel's built files (web/dist) all read them from here.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

const require = createRequire(import.meta.url);
const manifest = require.resolve('geored/package.json');

export const VERSION = (require(manifest) as { version: string }).version;
/** The folder holding geored's package.json. */
export const PACKAGE_ROOT = dirname(manifest);
