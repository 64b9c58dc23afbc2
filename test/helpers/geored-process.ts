/**
 * A real `node bin/geored.js serve` child on free loopback ports (GEORED_SIP_LISTEN / GEORED_API_LISTEN),
 * started and waited for until GET /readyz answers 200, and stopped with a signal. Every process started
 * here is registered so `stopAllGeored()` in afterEach/afterAll always cleans up.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './ports';

export const GEORED_BIN = fileURLToPath(new URL('../../bin/geored.js', import.meta.url));

export interface GeoredProcessOptions {
  /** Passed as --config; embedded defaults without it. */
  readonly configFile?: string;
  /** Extra environment (GEORED_STORE defaults to a SQLite file in a fresh temp directory). */
  readonly env?: Record<string, string>;
  /** How long to wait for /readyz; default 30 s (a loaded machine compiles TypeScript slowly). */
  readonly readyTimeoutMs?: number;
  /** Another copy of bin/geored.js to run (an installed tree, e.g. the container's layout). */
  readonly bin?: string;
  /** Fixed ports (a restart that keeps its addresses); free ones are picked when absent. */
  readonly sipPort?: number;
  readonly apiPort?: number;
}

export interface GeoredProcess {
  readonly process: ChildProcess;
  readonly apiUrl: string;
  readonly sipPort: number;
  /** The temp directory the default store lives in. */
  readonly dir: string;
  readonly exited: Promise<number | null>;
  /** stdout and stderr so far. */
  output(): string;
  /** JSON log lines of stdout so far. */
  logs(): Array<Record<string, unknown>>;
  /** Sends `signal` (SIGTERM by default) and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const running = new Set<GeoredProcess>();

/** Runs `geored serve` to completion without waiting for readiness (bad configs, usage errors). */
export function runGeored(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [GEORED_BIN, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

export async function startGeoredProcess(opts: GeoredProcessOptions = {}): Promise<GeoredProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'geored-serve-'));
  const sipPort = opts.sipPort ?? (await freePort());
  const apiPort = opts.apiPort ?? (await freePort());
  const args = ['serve', ...(opts.configFile ? ['--config', opts.configFile] : [])];
  const child = spawn(process.execPath, [opts.bin ?? GEORED_BIN, ...args], {
    env: {
      ...process.env,
      GEORED_STORE: `sqlite:${join(dir, 'geored.db')}`,
      GEORED_SIP_LISTEN: `udp:127.0.0.1:${sipPort},tcp:127.0.0.1:${sipPort}`,
      GEORED_API_LISTEN: `127.0.0.1:${apiPort}`,
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      exitCode = code;
      resolve(code);
    });
  });
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const proc: GeoredProcess = {
    process: child,
    apiUrl,
    sipPort,
    dir,
    exited,
    output: () => out,
    logs: () =>
      out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    stop: async (signal = 'SIGTERM') => {
      running.delete(proc);
      if (exitCode !== undefined) return exitCode;
      child.kill(signal);
      return exited;
    },
  };
  running.add(proc);
  const deadline = performance.now() + (opts.readyTimeoutMs ?? 30_000);
  while (performance.now() < deadline) {
    if (exitCode !== undefined)
      throw new Error(`geored serve exited ${exitCode} before it was ready:\n${out}`);
    try {
      const res = await fetch(`${apiUrl}/readyz`);
      if (res.status === 200) return proc;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  running.delete(proc);
  throw new Error(`geored serve was not ready within ${opts.readyTimeoutMs ?? 30_000} ms:\n${out}`);
}

/** Kills every geored this process started and has not stopped yet. */
export async function stopAllGeored(): Promise<void> {
  await Promise.all(
    [...running].map(async (p) => {
      running.delete(p);
      p.process.kill('SIGKILL');
      await p.exited;
    }),
  );
}
