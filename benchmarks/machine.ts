import os from 'node:os';

/** The machine a benchmark ran on, printed with every figure: figures from different machines do not compare. */
export function describeMachine(): string {
  const cpus = os.cpus();
  return [
    `date: ${new Date().toISOString()}`,
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
