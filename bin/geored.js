#!/usr/bin/env node
// Entry point for `npx geored`: loads the TypeScript sources through tsx, so a fresh `npm ci` is all it needs.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
