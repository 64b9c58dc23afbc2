/** server.dns.servers: where RFC 3263 lookups of sip_server names go (tests point it at loopback). */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config';
import { SOURCE, geoDoc, problemsOf } from './helpers';

describe('server.dns.servers', () => {
  it('is absent by default (the system resolvers)', () => {
    expect(parseConfig(geoDoc({}), SOURCE, {}).server.dns).toBeUndefined();
  });

  it('takes IPs with and without a port, IPv4 and IPv6', () => {
    const servers = ['127.0.0.1', '127.0.0.1:5353', '::1', '[::1]:5353'];
    const config = parseConfig(geoDoc({}, { server: { dns: { servers } } }), SOURCE, {});
    expect(config.server.dns).toEqual({ servers });
  });

  it.each([
    [
      'a host name',
      ['dns.example.com'],
      'server.dns.servers[0]',
      'found "dns.example.com", expected a DNS server',
    ],
    [
      'a bad port',
      ['127.0.0.1:99999'],
      'server.dns.servers[0]',
      'found "127.0.0.1:99999", expected a DNS server',
    ],
    ['a number', [53], 'server.dns.servers[0]', 'found 53, expected a DNS server'],
    ['an empty list', [], 'server.dns.servers', 'expected at least one DNS server'],
  ])('refuses %s, naming the path', (_what, servers, path, message) => {
    const problems = problemsOf(geoDoc({}, { server: { dns: { servers } } }));
    expect(problems).toHaveLength(1);
    expect(problems[0]!.path).toBe(path);
    expect(problems[0]!.message).toContain(message);
  });

  it('refuses a dns block without servers, and unknown keys', () => {
    const missing = problemsOf(geoDoc({}, { server: { dns: {} } }));
    expect(missing.map((p) => [p.path, p.code])).toEqual([['server.dns.servers', 'CONFIG_MISSING']]);
    const unknown = problemsOf(geoDoc({}, { server: { dns: { servers: ['127.0.0.1'], server: 'x' } } }));
    expect(unknown.map((p) => p.path)).toEqual(['server.dns.server']);
  });
});
