#!/usr/bin/env node
// Entry point for `npx geored`. It runs the compiled build (dist/cli.js, made by `npm ci` / `npm run build`)
// when that build is at least as new as every source file, and otherwise the TypeScript sources through tsx,
// so an edit to src/ is never hidden behind a stale build. GEORED_FROM_SOURCE=1 always runs the sources.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const built = `${root}dist/cli.js`;

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function useBuild() {
  if (process.env.GEORED_FROM_SOURCE === '1' || !existsSync(built)) return false;
  if (!existsSync(`${root}src`)) return true; // an install that ships only dist/
  return statSync(built).mtimeMs >= newestSource(`${root}src`);
}

let main;
if (useBuild()) {
  process.setSourceMapsEnabled(true);
  ({ main } = await import(built));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
