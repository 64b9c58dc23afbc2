/**
 * `icmp_ping`: one echo request through the system's `ping` (iputils). Node has no raw sockets, and ICMP
 * sockets need root or CAP_NET_RAW; `ping` carries that capability (or uses an unprivileged ICMP datagram
 * socket where net.ipv4.ping_group_range allows), so running it is the way to send ICMP without privileges.
 */
import { isIP } from 'node:net';
import type { RegionConfig } from '../../config/types';
import { endpointsOf, type ResolveEndpoints } from './endpoints';
import { failed, noAnswer, oneLine, passed } from './outcome';
import { runChild } from './run-child';
import type { CheckContext, CheckOutcome } from './types';

export function icmpPingCheck(resolve: ResolveEndpoints, pingPath = 'ping') {
  return async (region: RegionConfig, ctx: CheckContext): Promise<CheckOutcome> => {
    let host = region.target.host;
    if (isIP(host) === 0) {
      const resolved = await endpointsOf(resolve, region.target);
      if (!resolved.ok) return failed(resolved.error);
      host = resolved.endpoints[0]!.address;
    }
    // -W is whole or fractional seconds in iputils; the child is killed at the deadline anyway.
    const waitSeconds = Math.max(0.001, ctx.timeoutMs / 1000).toFixed(3);
    const argv = [pingPath, ...(isIP(host) === 6 ? ['-6'] : []), '-c', '1', '-W', waitSeconds, '-n', host];
    const res = await runChild(argv, {
      timeoutMs: ctx.timeoutMs,
      signal: ctx.signal,
      env: { ...process.env, LC_ALL: 'C' },
    });
    if (res.spawnError) return failed(`cannot run ${pingPath}: ${oneLine(res.spawnError)}`);
    if (res.timedOut) return failed(noAnswer(ctx.timeoutMs), null, host);
    if (res.code !== 0) {
      // Exit 1: no reply; 2 and up: ping itself failed (bad address, no route), and says why on stderr.
      const why = res.stderr.trim() ? oneLine(res.stderr) : res.code === 1 ? noAnswer(ctx.timeoutMs) : '';
      return failed(why || `ping exited with ${res.code ?? res.signal}`, null, host);
    }
    const rtt = parseRtt(res.stdout);
    return passed(rtt, host);
  };
}

/** `time=0.030 ms` of the reply line (the summary line says the same for one packet). */
export function parseRtt(output: string): number | null {
  const m = /time[=<]([\d.]+)\s*ms/.exec(output);
  return m ? Number(m[1]) : null;
}
