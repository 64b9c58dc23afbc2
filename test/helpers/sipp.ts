/**
 * Real sipp peers for integration tests. `startSipp` launches sipp in the foreground (no -bg, so the child
 * is ours to signal and kill), waits until its socket is bound (read from /proc/net, no probe traffic), and
 * registers it so `stopAllSipp()` in afterEach/afterAll always cleans up, SIGSTOPped ones included.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freePort, type Loopback } from './ports';

export const SCENARIOS = fileURLToPath(new URL('../../sipp-scenarios/', import.meta.url));

export type SippTransport = 'udp' | 'tcp';

export interface SippOptions {
  /** File name in sipp-scenarios/ (or an absolute path). */
  readonly scenario: string;
  readonly address?: Loopback;
  readonly transport?: SippTransport;
  /** Fixed port; a free one is picked when absent. */
  readonly port?: number;
  /** `-set name value` pairs for scenario globals. */
  readonly set?: Record<string, string>;
  readonly extraArgs?: readonly string[];
}

export interface SippPeer {
  readonly address: Loopback;
  readonly port: number;
  readonly transport: SippTransport;
  readonly process: ChildProcess;
  /** Resolves with sipp's exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  /** sipp's stdout and stderr so far, for assertion messages. */
  output(): string;
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
}

const running = new Set<SippPeer>();

let checked = false;
function requireSipp(): void {
  if (checked) return;
  try {
    execFileSync('sipp', ['-v'], { stdio: 'ignore' });
  } catch (err) {
    // sipp -v exits 99 after printing its version; only a missing binary is a problem.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(
        'sipp not found on PATH: install the Debian package sip-tester (apt-get install sip-tester)',
      );
    }
  }
  checked = true;
}

/** True when /proc/net shows a socket bound on `port` (UDP) or listening on it (TCP). */
export function isBound(port: number, transport: SippTransport, address: Loopback): boolean {
  const table = `/proc/net/${transport}${address.includes(':') ? '6' : ''}`;
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  let text: string;
  try {
    text = readFileSync(table, 'utf8');
  } catch {
    return false;
  }
  return text.split('\n').some((line) => {
    const fields = line.trim().split(/\s+/);
    const local = fields[1] ?? '';
    const state = fields[3];
    return local.endsWith(`:${hexPort}`) && (transport === 'udp' || state === '0A');
  });
}

export async function startSipp(opts: SippOptions): Promise<SippPeer> {
  requireSipp();
  const address = opts.address ?? '127.0.0.1';
  const transport = opts.transport ?? 'udp';
  const port = opts.port ?? (await freePort(address));
  const scenario = opts.scenario.startsWith('/') ? opts.scenario : SCENARIOS + opts.scenario;
  const args = ['-sf', scenario, '-i', address, '-p', String(port), '-t', transport === 'udp' ? 'u1' : 't1'];
  for (const [name, value] of Object.entries(opts.set ?? {})) args.push('-set', name, value);
  args.push('-nostdin', '-nd', ...(opts.extraArgs ?? []));
  const child = spawn('sipp', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  child.stderr?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      exitCode = code;
      resolve(code);
    });
    child.once('error', () => resolve(-1));
  });
  const peer: SippPeer = {
    address,
    port,
    transport,
    process: child,
    exited,
    output: () => out,
    pause: () => void child.kill('SIGSTOP'),
    resume: () => void child.kill('SIGCONT'),
    stop: async () => {
      running.delete(peer);
      if (exitCode !== undefined) return;
      child.kill('SIGCONT');
      child.kill('SIGKILL');
      await exited;
    },
  };
  running.add(peer);
  for (let i = 0; i < 200 && !isBound(port, transport, address); i++) {
    if (exitCode !== undefined) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  if (!isBound(port, transport, address)) {
    await peer.stop();
    throw new Error(`sipp did not bind ${transport} ${address}:${port}: ${sippArgsText(args)}\n${out}`);
  }
  return peer;
}

function sippArgsText(args: string[]): string {
  return ['sipp', ...args].join(' ');
}

/** Kills every sipp this process started and has not stopped yet (call from afterEach/afterAll). */
export async function stopAllSipp(): Promise<void> {
  await Promise.all([...running].map((p) => p.stop()));
}

export interface UacRun {
  readonly code: number | null;
  readonly output: string;
  readonly successful: number;
  readonly failed: number;
}

/**
 * A sipp UAC placing `calls` calls at `rate`/s to 127.0.0.1:`target` (geored), calling 15550001; sipp exits
 * 0 only if every call succeeded. `timeout` bounds the whole run (sipp's -timeout).
 */
export async function runSippUac(opts: {
  readonly scenario: string;
  readonly target: number;
  readonly calls: number;
  readonly rate: number;
  readonly timeout: string;
  readonly extraArgs?: readonly string[];
  readonly port?: number;
}): Promise<UacRun> {
  const uac = await startSipp({
    scenario: opts.scenario,
    ...(opts.port !== undefined && { port: opts.port }),
    extraArgs: [
      `127.0.0.1:${opts.target}`,
      '-s',
      '15550001',
      '-m',
      String(opts.calls),
      '-r',
      String(opts.rate),
      '-timeout',
      opts.timeout,
      ...(opts.extraArgs ?? []),
    ],
  });
  const code = await uac.exited;
  const output = uac.output();
  return {
    code,
    output,
    successful: finalCount(output, 'Successful call'),
    failed: finalCount(output, 'Failed call'),
  };
}

/** A cumulative counter from sipp's final statistics screen ("Successful call | 0 | 20"). */
function finalCount(output: string, name: string): number {
  const last = output
    .split('\n')
    .filter((l) => l.includes(name))
    .pop();
  const numbers = last?.match(/\d+/g);
  return numbers ? Number(numbers[numbers.length - 1]) : -1;
}
