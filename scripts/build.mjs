// `npm run build` (and `npm ci`, through `prepare`): compiles geored to dist/ with source maps — the public
// entry (src/index.ts → dist/index.js, declarations in dist/types) and the command line (src/cli/main.ts →
// dist/cli.js, its commands split into chunks loaded on demand) — so production runs JavaScript, not
// TypeScript through a loader. Packages stay external: they are geored's dependencies, installed beside it.
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const started = Date.now();
rmSync(`${root}/dist`, { recursive: true, force: true });
await build({
  entryPoints: { index: `${root}/src/index.ts`, cli: `${root}/src/cli/main.ts` },
  outdir: `${root}/dist`,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});
// Declarations need the TypeScript compiler, a development dependency: an install without them
// (npm ci --omit=dev) still gets the JavaScript, and says what it left out.
const tsc = `${root}/node_modules/typescript/bin/tsc`;
if (existsSync(tsc)) {
  execFileSync(process.execPath, [tsc, '-p', `${root}/tsconfig.build.json`], { stdio: 'inherit' });
} else {
  console.error('build: typescript is not installed; dist/types (the declarations) not written');
}
console.error(`build: dist/ written in ${((Date.now() - started) / 1000).toFixed(1)} s`);
