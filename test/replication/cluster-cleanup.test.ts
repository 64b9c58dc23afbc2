/**
 * The test clusters never outlive their run: a process that gets SIGTERM stops and deletes its clusters
 * (a real PostgreSQL started by a child process is gone, port and directory), and a run killed outright
 * leaves an owner.pid that the next run reads to remove clusters of dead processes, and only those.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { reapStaleClusters } from '../helpers/pg-clusters';

const run = promisify(execFile);

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

describe('test cluster cleanup', () => {
  it('SIGTERM to the owning process stops its cluster and deletes its directory', async () => {
    const helper = new URL('../helpers/pg-clusters.ts', import.meta.url).pathname;
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        `import('${helper}').then(async (m) => { const [c] = await m.startClusters(['cleanup']);` +
          ` console.log(JSON.stringify({ dir: c.dir, port: c.port })); setInterval(() => {}, 1000); })`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const started = await new Promise<{ dir: string; port: number }>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const line = out.split('\n').find((l) => l.startsWith('{'));
        if (line) resolve(JSON.parse(line) as { dir: string; port: number });
      });
      child.once('exit', (code) => reject(new Error(`the child exited ${code} before its cluster ran`)));
    });
    expect(existsSync(join(started.dir, 'owner.pid'))).toBe(true);
    expect(await listening(started.port)).toBe(true);
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(143);
    expect(existsSync(started.dir)).toBe(false);
    expect(await listening(started.port)).toBe(false);
  }, 60_000);

  it('the next run removes the clusters of a dead owner and leaves a live one alone', async () => {
    const root = mkdtempSync(join(tmpdir(), 'geored-reap-'));
    try {
      // A pid that certainly ran and is gone: a process that already exited.
      const { stdout } = await run(process.execPath, ['-e', 'console.log(process.pid)']);
      const dead = join(root, 'geored-pg-us-east-1-dead');
      const live = join(root, 'geored-pg-us-east-1-live');
      const foreign = join(root, 'geored-pg-no-owner');
      for (const d of [dead, live, foreign]) mkdirSync(join(d, 'data'), { recursive: true });
      writeFileSync(join(dead, 'owner.pid'), stdout);
      writeFileSync(join(live, 'owner.pid'), `${process.pid}\n`);
      expect(reapStaleClusters(root)).toEqual([dead]);
      expect([existsSync(dead), existsSync(live), existsSync(foreign)]).toEqual([false, true, true]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
