/** icmp_ping through the real `ping` to loopback (IPv4 and IPv6), and the failures ping itself reports. */
import { describe, expect, it } from 'vitest';
import type { ResolveEndpoints } from '../../../src/health/checks/endpoints';
import { icmpPingCheck, parseRtt } from '../../../src/health/checks/icmp-ping';
import { ctx, region } from './region';

const noDns: ResolveEndpoints = async (t) => {
  throw new Error(`no DNS in this test (asked for ${t.host})`);
};
const check = icmpPingCheck(noDns);

describe('icmp_ping', () => {
  it('passes against 127.0.0.1 with the RTT ping measured', async () => {
    const o = await check(region('lo', '127.0.0.1', 5060), ctx(2000));
    expect(o.success, o.error).toBe(true);
    expect(o.latency_ms).not.toBeNull();
    expect(o.latency_ms!).toBeGreaterThan(0);
    expect(o.detail).toBe('127.0.0.1');
  });

  it('passes against ::1 (ping -6)', async () => {
    const o = await check(region('lo6', '::1', 5060), ctx(2000));
    expect(o.success, o.error).toBe(true);
    expect(o.latency_ms!).toBeGreaterThan(0);
  });

  it('fails with the resolver error for a host name that does not resolve, without running ping', async () => {
    const o = await check(region('named', 'trunk.invalid', 5060), ctx(1000));
    expect(o).toMatchObject({
      success: false,
      error: 'cannot resolve trunk.invalid: no DNS in this test (asked for trunk.invalid)',
    });
  });

  it('fails with ping’s own complaint when ping exits 2, and with no answer when it exits 1', async () => {
    // An address ping cannot parse: it exits 2 with the reason on stderr, and sends nothing anywhere.
    const unparsable: ResolveEndpoints = async () => [
      { protocol: 'udp', address: '127.0.0.300', port: 5060 },
    ];
    const f = await icmpPingCheck(unparsable)(region('bad', 'trunk.test', 5060), ctx(2000));
    expect(f.success).toBe(false);
    expect(f.error).toMatch(/^ping: 127\.0\.0\.300: /);
    // `false` stands in for a ping that got no reply: exit 1, nothing on stderr.
    const silent = await icmpPingCheck(noDns, '/bin/false')(region('lo', '127.0.0.1', 5060), ctx(2000));
    expect(silent).toMatchObject({ success: false, error: 'no answer within 2000 ms' });
    const missing = icmpPingCheck(noDns, '/nonexistent/ping');
    expect((await missing(region('lo', '127.0.0.1', 5060), ctx(2000))).error).toMatch(
      /^cannot run \/nonexistent\/ping: .*ENOENT/,
    );
  });

  it('reads the RTT from iputils output', () => {
    expect(parseRtt('64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=0.030 ms')).toBe(0.03);
    expect(parseRtt('no reply')).toBeNull();
  });
});
