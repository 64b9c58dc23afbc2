/**
 * Start-up of `geored serve` from the compiled build (dist/, what production runs) and from the TypeScript
 * sources through tsx (GEORED_FROM_SOURCE=1, what a checkout runs before `npm run build`): time from
 * spawning the process to the first 200 from /readyz, and the process's memory once ready (RSS from
 * /proc, V8 heap used from /metrics). Embedded defaults, SQLite in a fresh temp directory, no regions.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../test/helpers/ports';
import type { BenchSection } from './run';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const RUNS = 5;

interface Sample {
  readonly readyMs: number;
  readonly rssMiB: number;
  readonly heapMiB: number;
}

async function once(fromSource: boolean): Promise<Sample> {
  const dir = mkdtempSync(join(tmpdir(), 'geored-startup-'));
  const sipPort = await freePort();
  const apiPort = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, [join(REPO, 'bin/geored.js'), 'serve'], {
    cwd: dir,
    env: {
      ...process.env,
      GEORED_FROM_SOURCE: fromSource ? '1' : '0',
      GEORED_STORE: `sqlite:${join(dir, 'geored.db')}`,
      GEORED_SIP_LISTEN: `udp:127.0.0.1:${sipPort}`,
      GEORED_API_LISTEN: `127.0.0.1:${apiPort}`,
      GEORED_API_TOKEN: 'startup-bench',
    },
    stdio: 'ignore',
  });
  try {
    const deadline = started + 60_000;
    for (;;) {
      const ok = await fetch(`http://127.0.0.1:${apiPort}/readyz`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) break;
      if (performance.now() > deadline) throw new Error('geored did not become ready within 60 s');
      await new Promise((r) => setTimeout(r, 5));
    }
    const readyMs = performance.now() - started;
    await new Promise((r) => setTimeout(r, 500)); // let start-up garbage settle before reading memory
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
    const metrics = await (
      await fetch(`http://127.0.0.1:${apiPort}/metrics`, {
        headers: { authorization: 'Bearer startup-bench' },
      })
    ).text();
    const heap = Number(/^geored_nodejs_heap_size_used_bytes (\S+)$/m.exec(metrics)?.[1] ?? NaN);
    return { readyMs, rssMiB: rssKiB / 1024, heapMiB: heap / 2 ** 20 };
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export const section: BenchSection = {
  name: 'startup',
  about:
    `\`geored serve\` on its embedded defaults, ${RUNS} starts each: spawn → first 200 from /readyz, then RSS ` +
    '(/proc) and V8 heap used (/metrics) once ready. "dist" is the compiled build production runs; "tsx" is ' +
    'the TypeScript sources through the tsx loader (GEORED_FROM_SOURCE=1).',
  async run() {
    if (!existsSync(join(REPO, 'dist/cli.js')))
      throw new Error('dist/cli.js is missing: run npm run build first');
    const rows: string[] = [
      '| build | ready p50 (ms) | ready max (ms) | RSS p50 (MiB) | heap used p50 (MiB) |',
      '|---|---|---|---|---|',
    ];
    for (const [label, fromSource] of [
      ['dist', false],
      ['tsx', true],
    ] as const) {
      const samples: Sample[] = [];
      for (let i = 0; i < RUNS; i++) samples.push(await once(fromSource));
      const ready = samples.map((s) => s.readyMs);
      rows.push(
        `| ${label} | ${median(ready).toFixed(0)} | ${Math.max(...ready).toFixed(0)} | ` +
          `${median(samples.map((s) => s.rssMiB)).toFixed(1)} | ${median(samples.map((s) => s.heapMiB)).toFixed(1)} |`,
      );
    }
    return rows.join('\n');
  },
};
