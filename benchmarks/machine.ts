import { execFileSync } from 'node:child_process';
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
