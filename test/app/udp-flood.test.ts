/**
 * A sipsak flood against geored's UDP listener (1,000 OPTIONS, loopback), sent while geored is stopped
 * (SIGSTOP) so nothing drains the socket: with a small security.udp.receive_buffer the kernel drops part of
 * the flood and geored reports exactly the drops /proc/net/udp shows; with the default 4 MB it drops none.
 */
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { procLocalAddress } from '../../src/sip/transport/udp-drops';
import { get, metricSum, startGeored, stopEverything, until } from './harness';

afterEach(stopEverything);

function requireSipsak(): void {
  try {
    execFileSync('sipsak', ['-V'], { stdio: 'ignore' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      throw new Error('sipsak not found on PATH: install the Debian package sipsak');
  }
}

function flood(port: number, count: number): Promise<void> {
  requireSipsak();
  return new Promise((resolve) => {
    execFile(
      'sipsak',
      ['-F', '-e', String(count), '-s', `sip:flood@127.0.0.1:${port}`],
      { timeout: 60_000 },
      () => resolve(),
    );
  });
}

function procDrops(port: number): number {
  const want = procLocalAddress('127.0.0.1', port);
  const row = readFileSync('/proc/net/udp', 'utf8')
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .find((f) => f[1] === want);
  if (!row) throw new Error(`no UDP socket on 127.0.0.1:${port} in /proc/net/udp`);
  return Number(row[12]);
}

async function floodWhileStopped(
  bufferLines: string[],
): Promise<{ drops: number; metric: number; granted: number; asked: number }> {
  const geored = await startGeored(['    regions: []'], bufferLines);
  const local = `udp:127.0.0.1:${geored.sipPort}`;
  const log = geored.logs().find((l) => String(l['msg']).startsWith(`UDP receive buffer of ${local}`));
  expect(log, geored.output()).toBeDefined();
  geored.process.kill('SIGSTOP');
  try {
    await flood(geored.sipPort, 1000);
  } finally {
    geored.process.kill('SIGCONT');
  }
  const drops = procDrops(geored.sipPort);
  let metric = -1;
  await until(async () => {
    metric = metricSum(await get<string>(geored, '/metrics'), 'geored_udp_receive_drops', { local });
    return metric === drops;
  }, 'the drops metric to match /proc/net/udp');
  const granted = metricSum(await get<string>(geored, '/metrics'), 'geored_udp_receive_buffer_bytes', {
    local,
  });
  expect(granted).toBe(Number(log!['obtained']));
  return { drops, metric, granted, asked: Number(log!['asked']) };
}

describe('UDP receive buffer under a sipsak flood', () => {
  it('a 64 KB buffer drops part of the flood, and geored reports the kernel drop count', async () => {
    const r = await floodWhileStopped(['security:', '  udp: { receive_buffer: 65536 }']);
    expect(r.asked).toBe(65536);
    expect(r.drops).toBeGreaterThan(0);
    expect(r.metric).toBe(r.drops);
  }, 120_000);

  it('the default 4 MB buffer (as far as net.core.rmem_max allows) holds the same flood', async () => {
    const rmemMax = Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8'));
    const r = await floodWhileStopped([]);
    expect(r.asked).toBe(4 * 1024 * 1024);
    // Linux books twice what is asked, capped at twice rmem_max.
    expect(r.granted).toBe(2 * Math.min(r.asked, rmemMax));
    if (rmemMax < r.asked)
      throw new Error(`net.core.rmem_max is ${rmemMax}: the 4 MB default cannot be granted here`);
    expect(r.drops).toBe(0);
    expect(r.metric).toBe(0);
  }, 120_000);
});
