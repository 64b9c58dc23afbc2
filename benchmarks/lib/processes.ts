/**
 * Child processes of the benchmarks: each one in its own process group (detached), so stopping it also stops
 * whatever it forked. Every child is registered and killed on exit, on SIGINT/SIGTERM and by `stopAll()`,
 * stopped (SIGSTOPped) ones included.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, readdirSync } from 'node:fs';

export interface Child {
  readonly name: string;
  readonly pid: number;
  readonly process: ChildProcess;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  /** True once the process has exited. */
  done(): boolean;
  /** stdout and stderr so far (the last 200 kB). */
  output(): string;
  pause(): void;
  resume(): void;
  /** SIGCONT + SIGTERM to the group, SIGKILL after `graceMs`; resolves when the process has exited. */
  stop(graceMs?: number): Promise<void>;
}

const live = new Set<Child>();

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      /* gone */
    }
  }
}

let hooked = false;
function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    for (const c of live) {
      killGroup(c.pid, 'SIGCONT');
      killGroup(c.pid, 'SIGKILL');
    }
  });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      void stopAll().finally(() => process.exit(130));
    });
  }
}

export interface StartOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Write stdout and stderr to this file instead of keeping them in memory. */
  readonly logFile?: string;
}

export function startChild(
  name: string,
  cmd: string,
  args: readonly string[],
  opts: StartOptions = {},
): Child {
  hookExit();
  const fd = opts.logFile === undefined ? undefined : openSync(opts.logFile, 'a');
  const proc = spawn(cmd, args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    detached: true,
    stdio: fd === undefined ? ['ignore', 'pipe', 'pipe'] : ['ignore', fd, fd],
  });
  if (fd !== undefined) closeSync(fd);
  let out = '';
  const keep = (d: Buffer): void => {
    out += d.toString();
    if (out.length > 400_000) out = out.slice(-200_000);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  let finished = false;
  const exited = new Promise<number | null>((resolve) => {
    proc.once('exit', (code) => {
      finished = true;
      resolve(code);
    });
    proc.once('error', (err) => {
      finished = true;
      out += `\n${name}: ${err.message}`;
      resolve(-1);
    });
  });
  if (proc.pid === undefined) throw new Error(`${name}: could not start ${cmd}`);
  const pid = proc.pid;
  const child: Child = {
    name,
    pid,
    process: proc,
    exited,
    done: () => finished,
    output: () => (opts.logFile === undefined ? out : readTail(opts.logFile)),
    pause: () => killGroup(pid, 'SIGSTOP'),
    resume: () => killGroup(pid, 'SIGCONT'),
    stop: async (graceMs = 2000) => {
      live.delete(child);
      killGroup(pid, 'SIGCONT');
      if (finished) {
        killGroup(pid, 'SIGKILL'); // anything left in the group
        return;
      }
      killGroup(pid, 'SIGTERM');
      const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
      killGroup(pid, 'SIGKILL');
    },
  };
  live.add(child);
  return child;
}

function readTail(path: string): string {
  try {
    return readFileSync(path, 'utf8').slice(-200_000);
  } catch {
    return '';
  }
}

/** Stops every child still registered. */
export async function stopAll(): Promise<void> {
  await Promise.all([...live].map((c) => c.stop()));
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** True when /proc/net shows a UDP socket bound on `port`, or a TCP socket listening on it. */
export function isBound(port: number, transport: 'udp' | 'tcp' = 'udp'): boolean {
  const hexPort = ':' + port.toString(16).toUpperCase().padStart(4, '0');
  for (const table of [`/proc/net/${transport}`, `/proc/net/${transport}6`]) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n')) {
      const f = line.trim().split(/\s+/);
      if ((f[1] ?? '').endsWith(hexPort) && (transport === 'udp' || f[3] === '0A')) return true;
    }
  }
  return false;
}

/** Waits (bounded) until `port` is bound; throws with the child's output when it is not. */
export async function waitBound(
  port: number,
  transport: 'udp' | 'tcp',
  child?: Child,
  timeoutMs = 10_000,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (isBound(port, transport)) return;
    if (child?.done()) break;
    await sleep(20);
  }
  throw new Error(
    `${child?.name ?? 'process'} did not bind ${transport} port ${port}\n${child?.output() ?? ''}`,
  );
}

/** The pid and its descendants (from /proc/PID/stat ppid fields). */
export function processTree(root: number): number[] {
  const parent = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parent.set(Number(entry), Number(rest[1]));
    } catch {
      /* exited meanwhile */
    }
  }
  const out = [root];
  for (let i = 0; i < out.length; i++) {
    for (const [pid, ppid] of parent) if (ppid === out[i]) out.push(pid);
  }
  return out;
}

/** Pids whose command line contains every one of `needles` (used to find daemons a script started). */
export function pidsByCmdline(...needles: string[]): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ');
      if (needles.every((n) => cmd.includes(n))) out.push(Number(entry));
    } catch {
      /* exited meanwhile */
    }
  }
  return out;
}
