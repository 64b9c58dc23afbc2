import { describe, expect, it } from 'vitest';
import { parseSipServer } from '../../src/config/sip-target';
import { parseListen, parseHostPort, isCidr } from '../../src/config/addresses';

describe('parseSipServer', () => {
  it.each([
    ['h.example.com', { host: 'h.example.com', port: null, transport: null, secure: false }],
    ['h.example.com:5080', { host: 'h.example.com', port: 5080, transport: null, secure: false }],
    ['[2001:db8::5]', { host: '2001:db8::5', port: null, transport: null, secure: false }],
    ['2001:db8::5', { host: '2001:db8::5', port: null, transport: null, secure: false }],
    ['sip:10.0.0.1:5060;transport=tls', { host: '10.0.0.1', port: 5060, transport: 'tls', secure: false }],
    [
      'SIPS:h.example.com;transport=tcp',
      { host: 'h.example.com', port: null, transport: 'tls', secure: true },
    ],
  ])('accepts %s', (text, target) => {
    expect(parseSipServer(text)).toEqual({ ok: true, target });
  });

  it.each([
    ['sip:user@h.example.com', 'a server URI without a user part (sip:host[:port]), since it names a server'],
    ['sips:h.example.com;transport=udp', 'a sips: URI over TLS (sips: cannot use ;transport=udp)'],
    ['sip:h.example.com;transport=ws', ';transport=udp, tcp or tls'],
    ['h.example.com:0', expect.stringContaining('a host, host:port')],
    ['bad_host!', expect.stringContaining('a host, host:port')],
    ['999.1.1.1', expect.stringContaining('a host, host:port')],
    ['[not-v6]:5060', expect.stringContaining('a host, host:port')],
  ])('refuses %s', (text, expected) => {
    expect(parseSipServer(text)).toEqual({ ok: false, expected });
  });
});

describe('addresses', () => {
  it('parses listen specs', () => {
    expect(parseListen('tls:[::]:5061')).toEqual({ protocol: 'tls', address: '::', port: 5061 });
    expect(parseListen('UDP:127.0.0.1:5060')).toEqual({ protocol: 'udp', address: '127.0.0.1', port: 5060 });
    expect(parseListen('ws:127.0.0.1:80')).toBeNull();
    expect(parseListen('udp:127.0.0.1')).toBeNull();
    expect(parseListen('udp:example.com:5060')).toBeNull();
  });

  it('parses host:port', () => {
    expect(parseHostPort('a.b:1')).toEqual({ host: 'a.b', port: 1 });
    expect(parseHostPort('a.b:65536')).toBeNull();
    expect(parseHostPort('a.b:')).toBeNull();
  });

  it('checks CIDRs', () => {
    expect(isCidr('10.0.0.0/8')).toBe(true);
    expect(isCidr('2001:db8::/32')).toBe(true);
    expect(isCidr('192.0.2.7')).toBe(true);
    expect(isCidr('2001:db8::/129')).toBe(false);
    expect(isCidr('10.0.0.0/8/1')).toBe(false);
    expect(isCidr('example.com/8')).toBe(false);
  });
});
