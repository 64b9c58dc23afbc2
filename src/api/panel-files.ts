/**
 * The admin panel's built files (web/dist, written by `npm run build:web`, which `npm ci` runs through
 * `prepare`), read once at start-up and gzipped once: a dozen small files, served from memory with their
 * content type, an ETag, and long caching for the content-hashed assets.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import { PACKAGE_ROOT } from '../model/package-info';

export const PANEL_DIST = join(PACKAGE_ROOT, 'web', 'dist');

export interface PanelAsset {
  readonly body: Buffer;
  readonly gzip: Buffer;
  readonly type: string;
  readonly etag: string;
  /** Content-hashed under assets/: cacheable for a year. */
  readonly immutable: boolean;
}

export interface PanelFiles {
  /** Where the files were read from; null when the panel was not built. */
  readonly dir: string | null;
  get(path: string): PanelAsset | undefined;
  paths(): string[];
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

export function loadPanelFiles(dir: string = PANEL_DIST): PanelFiles {
  const assets = new Map<string, PanelAsset>();
  const built = existsSync(join(dir, 'index.html'));
  if (built) {
    for (const file of walk(dir)) {
      const path = relative(dir, file).split(sep).join('/');
      const body = readFileSync(file);
      assets.set(path, {
        body,
        gzip: gzipSync(body, { level: 9 }),
        type: TYPES[extname(file)] ?? 'application/octet-stream',
        etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
        immutable: path.startsWith('assets/'),
      });
    }
  }
  return { dir: built ? dir : null, get: (p) => assets.get(p), paths: () => [...assets.keys()] };
}
