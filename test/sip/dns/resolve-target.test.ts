import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderSrv, resolveSipTarget, type SipTarget } from '../../../src/sip/dns/resolve-target';
import { TargetCache } from '../../../src/sip/dns/target-cache';
import { startDnsServer, type TestDnsServer } from '../../helpers/dns-server';

const naptr = (name: string, order: number, pref: number, services: string, replacement: string) => ({
  type: 'NAPTR' as const,
  name,
  data: { order, preference: pref, flags: 'S', services, regexp: '', replacement },
});
const srv = (name: string, priority: number, weight: number, port: number, target: string) => ({
  type: 'SRV' as const,
  name,
  data: { priority, weight, port, target },
});
const a = (name: string, data: string) => ({ type: 'A' as const, name, data });

let dns: TestDnsServer;
beforeAll(async () => {
  dns = await startDnsServer([
    // NAPTR prefers TCP over UDP; TCP's SRV has two hosts at different priorities.
    naptr('naptr.test', 10, 20, 'SIP+D2U', '_sip._udp.naptr.test'),
    naptr('naptr.test', 10, 10, 'SIP+D2T', '_sip._tcp.naptr.test'),
    naptr('naptr.test', 5, 10, 'X-UNKNOWN', '_x.naptr.test'),
    srv('_sip._tcp.naptr.test', 10, 0, 5080, 'b.naptr.test'),
    srv('_sip._tcp.naptr.test', 5, 0, 5070, 'a.naptr.test'),
    srv('_sip._udp.naptr.test', 10, 0, 5090, 'a.naptr.test'),
    a('a.naptr.test', '127.0.0.2'),
    a('b.naptr.test', '127.0.0.3'),
    // No NAPTR: SRV per transport.
    srv('_sip._udp.srv.test', 1, 0, 5062, 'host.srv.test'),
    a('host.srv.test', '127.0.0.4'),
    // Neither: A records with the default port.
    a('plain.test', '127.0.0.5'),
    { type: 'AAAA', name: 'plain.test', data: '::1' },
    srv('_sips._tcp.secure.test', 1, 0, 5063, 'host.secure.test'),
    a('host.secure.test', '127.0.0.6'),
    srv('_sip._udp.dot.test', 1, 0, 5060, '.'),
  ]);
});
afterAll(() => dns.close());

const opts = { supported: ['udp', 'tcp', 'tls'] as const, random: () => 0.5 };
const target = (host: string, extra: Partial<SipTarget> = {}): SipTarget => ({
  host,
  port: null,
  transport: null,
  secure: false,
  ...extra,
});
const brief = (l: Array<{ protocol: string; address: string; port: number; via: string }>) =>
  l.map((e) => `${e.protocol} ${e.address}:${e.port} (${e.via})`);

describe('RFC 3263 target resolution against a real DNS server', () => {
  it('follows NAPTR order and preference, then SRV priority, then A', async () => {
    const r = await resolveSipTarget(target('naptr.test'), dns.resolver(), opts);
    expect(brief(r)).toEqual([
      'tcp 127.0.0.2:5070 (naptr)',
      'tcp 127.0.0.3:5080 (naptr)',
      'udp 127.0.0.2:5090 (naptr)',
    ]);
  });

  it('skips NAPTR services it does not support', async () => {
    const r = await resolveSipTarget(target('naptr.test'), dns.resolver(), { ...opts, supported: ['udp'] });
    expect(brief(r)).toEqual(['udp 127.0.0.2:5090 (naptr)']);
  });

  it('uses SRV when there is no NAPTR, and A/AAAA with the default port when there is neither', async () => {
    expect(brief(await resolveSipTarget(target('srv.test'), dns.resolver(), opts))).toEqual([
      'udp 127.0.0.4:5062 (srv)',
    ]);
    expect(brief(await resolveSipTarget(target('plain.test'), dns.resolver(), opts))).toEqual([
      'udp 127.0.0.5:5060 (a)',
      'udp ::1:5060 (a)',
    ]);
  });

  it('skips NAPTR and SRV for an explicit port, and everything for a numeric host', async () => {
    const before = dns.queries.length;
    expect(brief(await resolveSipTarget(target('plain.test', { port: 5099 }), dns.resolver(), opts))).toEqual(
      ['udp 127.0.0.5:5099 (a)', 'udp ::1:5099 (a)'],
    );
    expect(dns.queries.slice(before).sort()).toEqual(['A plain.test', 'AAAA plain.test']);
    expect(
      brief(await resolveSipTarget(target('[::1]', { transport: 'tcp' }), dns.resolver(), opts)),
    ).toEqual(['tcp ::1:5060 (literal)']);
  });

  it('uses only TLS for sips:, with _sips._tcp SRV', async () => {
    expect(
      brief(await resolveSipTarget(target('secure.test', { secure: true }), dns.resolver(), opts)),
    ).toEqual(['tls 127.0.0.6:5063 (srv)']);
    expect(
      await resolveSipTarget(target('127.0.0.1', { secure: true, transport: 'udp' }), dns.resolver(), opts),
    ).toEqual([]);
  });

  it('treats an SRV target of "." as no service and an unknown name as no targets', async () => {
    expect(await resolveSipTarget(target('dot.test', { transport: 'udp' }), dns.resolver(), opts)).toEqual(
      [],
    );
    expect(await resolveSipTarget(target('missing.test'), dns.resolver(), opts)).toEqual([]);
  });

  it('caches answers and keeps the last good one when DNS fails', async () => {
    let now = 0;
    let down = false;
    const real = dns.resolver();
    const outage = () => Promise.reject(Object.assign(new Error('query timed out'), { code: 'ETIMEOUT' }));
    // The real server answers until `down`; then every lookup fails as a DNS outage would.
    const client = {
      resolveNaptr: (n: string) => (down ? outage() : real.resolveNaptr(n)),
      resolveSrv: (n: string) => (down ? outage() : real.resolveSrv(n)),
      resolve4: (n: string) => (down ? outage() : real.resolve4(n)),
      resolve6: (n: string) => (down ? outage() : real.resolve6(n)),
    } as never;
    const cache = new TargetCache(client, { ...opts, ttlMs: 1000, now: () => now });
    const first = await cache.resolve(target('srv.test'));
    expect(brief(first)).toEqual(['udp 127.0.0.4:5062 (srv)']);
    const queries = dns.queries.length;
    expect(await cache.resolve(target('srv.test'))).toBe(first);
    expect(dns.queries.length).toBe(queries);
    now = 2000;
    down = true;
    expect(await cache.resolve(target('srv.test'))).toEqual(first);
    await expect(cache.resolve(target('plain.test'))).rejects.toThrow('query timed out');
    expect(cache.peek(target('plain.test'))).toBeUndefined();
  });
});

describe('RFC 2782 weighted ordering', () => {
  it('orders by priority and spreads picks by weight', () => {
    const records = [
      { name: 'heavy', port: 1, priority: 1, weight: 90 },
      { name: 'light', port: 1, priority: 1, weight: 10 },
      { name: 'backup', port: 1, priority: 2, weight: 100 },
    ];
    let heavyFirst = 0;
    for (let i = 0; i < 1000; i++) {
      const order = orderSrv(records, () => (i + 0.5) / 1000);
      expect(order[2]!.name).toBe('backup');
      if (order[0]!.name === 'heavy') heavyFirst++;
    }
    expect(heavyFirst).toBeGreaterThan(850);
    expect(heavyFirst).toBeLessThan(950);
  });
});
