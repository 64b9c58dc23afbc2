// `npm run build` (and `npm ci`, through `prepare`): compiles the public entry (src/index.ts) to dist/index.js
// with a source map, and its declarations to dist/types, so `import … from 'geored'` works in plain Node.js
// and type-checks in TypeScript. Packages stay external: they are geored's dependencies, installed beside it.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
rmSync(`${root}/dist`, { recursive: true, force: true });
await build({
  entryPoints: [`${root}/src/index.ts`],
  outfile: `${root}/dist/index.js`,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});
execFileSync(process.execPath, [`${root}/node_modules/typescript/bin/tsc`, '-p', `${root}/tsconfig.build.json`], {
  stdio: 'inherit',
});
