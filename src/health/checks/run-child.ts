/**
 * Runs a child process with a deadline, for the checks that are external programs (ping, command checks).
 * On the deadline or an abort the child gets SIGKILL: a check that overruns is a failure, and a program
 * stuck in I/O must not pile up one process per probe.
 */
import { spawn } from 'node:child_process';

export interface ChildResult {
  /** Exit code; null when killed or when it never started. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** True when we killed it for running past the deadline or an abort. */
  readonly timedOut: boolean;
  /** Set when the program could not be started at all (ENOENT, EACCES). */
  readonly spawnError?: NodeJS.ErrnoException;
  readonly stdout: string;
  readonly stderr: string;
}

/** Output kept per stream: enough for a detail line, bounded whatever the program prints. */
const OUTPUT_LIMIT = 4096;

export function runChild(
  argv: readonly string[],
  opts: { timeoutMs: number; signal: AbortSignal; env?: NodeJS.ProcessEnv },
): Promise<ChildResult> {
  const [file, ...args] = argv;
  return new Promise((resolve) => {
    if (file === undefined) {
      const spawnError = Object.assign(new Error('empty command'), { code: 'EINVAL' });
      resolve({ code: null, signal: null, timedOut: false, spawnError, stdout: '', stderr: '' });
      return;
    }
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let spawnError: NodeJS.ErrnoException | undefined;
    const child = spawn(file, args, { env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d: Buffer) => (stdout = (stdout + d.toString()).slice(0, OUTPUT_LIMIT)));
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(0, OUTPUT_LIMIT)));
    const kill = () => {
      timedOut = true;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(kill, opts.timeoutMs);
    if (opts.signal.aborted) kill();
    else opts.signal.addEventListener('abort', kill, { once: true });
    child.once('error', (err) => (spawnError = err));
    // 'close', not 'exit': the output streams are complete then, and it also fires after a spawn error.
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      opts.signal.removeEventListener('abort', kill);
      resolve({ code, signal, timedOut, spawnError, stdout, stderr });
    });
  });
}
