import { describe, expect, it } from 'vitest';
import {
  formatNameAddr,
  formatUri,
  formatVia,
  parseNameAddr,
  parseNameAddrList,
  parseUri,
  parseVia,
  SipParseError,
} from '../../../src/sip/message/index';

describe('parseUri / formatUri', () => {
  it.each([
    [
      'sip:alice@atlanta.example.com',
      { kind: 'sip', scheme: 'sip', user: 'alice', host: 'atlanta.example.com', port: null },
    ],
    [
      'SIPS:alice:secret@192.0.2.4:5061',
      { scheme: 'sips', user: 'alice', password: 'secret', host: '192.0.2.4', port: 5061 },
    ],
    [
      'sip:[2001:db8::10]:5070;transport=tcp',
      { host: '2001:db8::10', port: 5070, params: { transport: 'tcp' } },
    ],
    ['sip:[2001:db8::10:5070]', { host: '2001:db8::10:5070', port: null }],
    ['sip:user;par=u%40example.net@example.com', { user: 'user;par=u%40example.net', host: 'example.com' }],
    ['sip:p.example.com;lr;maddr=[::1]', { params: { lr: null, maddr: '[::1]' } }],
    [
      'sip:a@b.example.com?subject=project%20x&priority=urgent',
      {
        headers: [
          ['subject', 'project%20x'],
          ['priority', 'urgent'],
        ],
      },
    ],
    ['sip:%61lice@example.com', { user: '%61lice' }],
    ['tel:+1-201-555-0123;ext=1234', { kind: 'tel', number: '+1-201-555-0123', params: { ext: '1234' } }],
    ['tel:7042;phone-context=example.com', { kind: 'tel', number: '7042' }],
    ['urn:service:sos', { kind: 'other', scheme: 'urn', opaque: 'service:sos' }],
  ])('%s', (text, expected) => {
    const u = parseUri(text);
    expect(u).toMatchObject(expected);
    expect(parseUri(formatUri(u))).toEqual(u);
  });

  it.each([
    ['<sip:a@b>', /no scheme|not alphanumeric/],
    ['sip:2001:db8::10', /invalid host "2001"|invalid port/],
    ['sip:a@[2001:db8::zz]', /not an IPv6 address/],
    ['sip:a@host:99999', /invalid port/],
    ['sip:a@host;;x', /empty or invalid URI parameter name/],
    ['sip:%4@host', /invalid character in the user part/],
    ['sip:a b@host', /invalid character in the user part/],
    ['sip:@host', /empty user part/],
    ['sip:a@-bad-.example.com', /invalid host/],
    ['tel:abc-xyz', /invalid telephone number/],
    ['http:has space', /characters outside/],
  ])('rejects %s', (text, message) => {
    expect(() => parseUri(text)).toThrow(SipParseError);
    expect(() => parseUri(text)).toThrow(message);
  });

  it('reads the RFC 3261 ABNF-bug IPv6 form without the extra colon (RFC 5118 §4.10)', () => {
    expect(parseUri('sip:user@[2001:db8:::192.0.2.1]')).toMatchObject({ host: '2001:db8::192.0.2.1' });
  });
});

describe('parseVia / formatVia', () => {
  it('reads white space around the separators (RFC 4475 §3.1.1.1)', () => {
    const [a, b] = parseVia(
      'SIP  / 2.0  / TCP     spindle.example.com   ;  branch  =   z9hG4bK9ikj8  , SIP / 2.0 / UDP 192.168.255.111 ; branch= z9hG4bK30239',
    );
    expect(a).toEqual({
      protocol: 'SIP',
      version: '2.0',
      transport: 'TCP',
      host: 'spindle.example.com',
      port: null,
      params: { branch: 'z9hG4bK9ikj8' },
    });
    expect(b).toMatchObject({
      transport: 'UDP',
      host: '192.168.255.111',
      params: { branch: 'z9hG4bK30239' },
    });
  });

  it('handles IPv6 sent-by and received with and without brackets (RFC 5118 §4.5)', () => {
    const [v] = parseVia(
      'SIP/2.0/UDP [2001:db8::9:1]:6050;received=[2001:db8::9:255];rport=7;branch=z9hG4bKx',
    );
    expect(v).toMatchObject({
      host: '2001:db8::9:1',
      port: 6050,
      params: { received: '[2001:db8::9:255]', rport: '7' },
    });
    expect(formatVia(v!)).toBe(
      'SIP/2.0/UDP [2001:db8::9:1]:6050;received=[2001:db8::9:255];rport=7;branch=z9hG4bKx',
    );
    expect(parseVia('SIP/2.0/UDP [::1];received=2001:db8::9:255')[0]?.params.received).toBe(
      '2001:db8::9:255',
    );
  });

  it.each([
    ['SIP/2.0/UDP 192.0.2.15;;,;,,', /expected a parameter name/],
    ['SIP/2.0 192.0.2.1', /expected "\/"/],
    ['SIP/2.0/UDP', /white space before sent-by/],
    ['SIP/2.0/UDP host:port', /invalid port/],
    ['', /empty value/],
  ])('rejects %j', (value, message) => {
    expect(() => parseVia(value)).toThrow(message);
  });
});

describe('parseNameAddr / parseNameAddrList / formatNameAddr', () => {
  it.each([
    [
      '"J Rosenberg \\\\\\"" <sip:jdrosen@example.com>;tag=98asjd8',
      { displayName: 'J Rosenberg \\"', uri: 'sip:jdrosen@example.com', params: { tag: '98asjd8' } },
    ],
    ['caller<sip:caller@example.com>;tag=323', { displayName: 'caller', uri: 'sip:caller@example.com' }],
    ["token1~` token2'+_ <sip:a@b.com>", { displayName: "token1~` token2'+_", uri: 'sip:a@b.com' }],
    [
      'sip:+1@gw.example.net;unknownparam',
      { displayName: null, uri: 'sip:+1@gw.example.net', params: { unknownparam: null } },
    ],
    ['<sip:a@b.com;lr>', { displayName: null, uri: 'sip:a@b.com;lr', params: {} }],
    ['*', { uri: '*' }],
  ])('%s', (value, expected) => {
    const na = parseNameAddr(value);
    expect(na).toMatchObject(expected);
    expect(parseNameAddr(formatNameAddr(na))).toEqual(na);
  });

  it('splits lists but not at commas inside quotes or brackets', () => {
    const list = parseNameAddrList('"Bell, Alexander" <sip:a@b.com;x=1>, <sip:c@d.com>;q=0.5, sip:e@f.com');
    expect(list.map((n) => [n.displayName, n.uri, n.params.q ?? null])).toEqual([
      ['Bell, Alexander', 'sip:a@b.com;x=1', null],
      [null, 'sip:c@d.com', '0.5'],
      [null, 'sip:e@f.com', null],
    ]);
  });

  it.each([
    ['"Mr. J. User <sip:j.user@example.com>', /unterminated quoted string/],
    ['"Watson, Thomas" < sip:t.watson@example.org >', /white space or a bad character inside/],
    ['Bell, Alexander <sip:a.g.bell@example.com>;tag=43', /expected a URI|unexpected/],
    ['sip:user@example.com?Route=%3Csip:sip.example.com%3E', /must be enclosed in <...>/],
    ['"Joe" <sip:joe@example.org>;;;;', /expected a parameter name/],
  ])('rejects %s', (value, message) => {
    expect(() => parseNameAddr(value, 'Contact')).toThrow(message);
  });
});
