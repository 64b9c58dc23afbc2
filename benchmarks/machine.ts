import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

/** The machine a benchmark ran on, printed with every figure: figures from different machines do not compare. */
export function describeMachine(): string {
  const cpus = os.cpus();
  return [
    `date: ${new Date().toISOString()}`,
    `commit: ${commit()}`,
    `cpu: ${cpus[0]?.model ?? 'unknown'} x ${cpus.length}`,
    `memory: ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    `os: ${os.type()} ${os.release()} ${os.arch()}`,
    `node: ${process.version}`,
    `load average at start: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  ].join('\n');
}

/** The commit measured, with "+ uncommitted changes" when the work tree differs from it. */
function commit(): string {
  const git = (...args: string[]): string => execFileSync('git', args, { encoding: 'utf8' }).trim();
  try {
    const head = git('rev-parse', '--short=12', 'HEAD');
    return git('status', '--porcelain', '--untracked-files=no') === ''
      ? head
      : `${head} + uncommitted changes`;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

/** The machine's CPU time counters (/proc/stat, all CPUs, in ticks), for the share stolen by the host. */
export interface CpuTicks {
  readonly total: number;
  readonly steal: number;
}

export function cpuTicks(): CpuTicks | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    // cpu user nice system idle iowait irq softirq steal guest guest_nice (guest time is inside user).
    const v = line.trim().split(/\s+/).slice(1, 9).map(Number);
    if (v.length < 8 || v.some((n) => !Number.isFinite(n))) return null;
    return { total: v.reduce((a, b) => a + b, 0), steal: v[7]! };
  } catch {
    return null;
  }
}

/**
 * A line for a section: how much of the machine's time the hypervisor gave to others while it ran. On a
 * shared host that time comes out of whatever was running, both proxies alike: CPU figures and tails grow
 * with it, so runs with different steal do not compare.
 */
export function stealNote(from: CpuTicks | null, to: CpuTicks | null): string {
  if (!from || !to || to.total <= from.total)
    return '- CPU time stolen by the hypervisor during this section: not known.';
  const share = ((to.steal - from.steal) / (to.total - from.total)) * 100;
  return `- CPU time stolen by the hypervisor during this section (/proc/stat steal): ${share.toFixed(1)} % of the machine's time.`;
}
