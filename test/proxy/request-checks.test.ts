/** §16.3 validation (Max-Forwards, Proxy-Require, loops by branch hash) and §16.4 Route processing. */
import { describe, expect, it } from 'vitest';
import { parseMessage, type SipRequest } from '../../src/sip/message';
import { loopBranch, requestHash } from '../../src/proxy/loop-branch';
import { OwnAddresses } from '../../src/proxy/own-addresses';
import { nextHopUri, processRoutes } from '../../src/proxy/route-processing';
import { validateForward } from '../../src/proxy/validate-request';

const own = new OwnAddresses([{ protocol: 'udp', address: '127.0.0.1', port: 5080 }], (protocol) => ({
  protocol,
  address: '127.0.0.1',
  port: 5080,
}));

function request(
  extra: string[] = [],
  uri = 'sip:15550001@127.0.0.1:5080',
  vias = ['SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-pbx-1'],
): SipRequest {
  const lines = [
    `INVITE ${uri} SIP/2.0`,
    ...vias.map((v) => `Via: ${v}`),
    'From: <sip:pbx@127.0.0.1:5070>;tag=f1',
    'To: <sip:15550001@127.0.0.1>',
    'Call-ID: checks-1',
    'CSeq: 1 INVITE',
    ...extra,
    'Content-Length: 0',
    '',
    '',
  ];
  return parseMessage(Buffer.from(lines.join('\r\n'))) as SipRequest;
}

describe('validateForward', () => {
  it('passes a plain request', () => {
    const r = request(['Max-Forwards: 70']);
    expect(validateForward(r, own, requestHash(r))).toBeNull();
  });

  it('refuses Max-Forwards 0 with 483', () => {
    const e = validateForward(request(['Max-Forwards: 0']), own, null);
    expect([e?.code, e?.sip]).toEqual(['PROXY_TOO_MANY_HOPS', 483]);
  });

  it('refuses Proxy-Require with 420 naming the extension', () => {
    const e = validateForward(request(['Proxy-Require: foo-ext']), own, null);
    expect([e?.code, e?.sip]).toEqual(['PROXY_BAD_EXTENSION', 420]);
    expect(e?.message).toContain('foo-ext');
  });

  it('detects a loop: the same request back under our Via with its hash (482)', () => {
    const first = request();
    const hash = requestHash(first);
    // What comes back: our Via on top of the PBX's, everything the hash covers unchanged.
    const looped = request([], first.uri, [
      `SIP/2.0/UDP 127.0.0.1:5080;rport;branch=${loopBranch(hash, 1)}`,
      'SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-pbx-1',
    ]);
    expect(requestHash(looped)).toBe(hash);
    const e = validateForward(looped, own, requestHash(looped));
    expect([e?.code, e?.sip]).toEqual(['PROXY_LOOP_DETECTED', 482]);
  });

  it('lets a spiral through: our Via, but a request that changed (another Request-URI)', () => {
    const first = request();
    const spiral = request([], 'sip:15550001@provider.example', [
      `SIP/2.0/UDP 127.0.0.1:5080;rport;branch=${loopBranch(requestHash(first), 1)}`,
      'SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-pbx-1',
    ]);
    expect(validateForward(spiral, own, requestHash(spiral))).toBeNull();
  });

  it('ignores a matching hash under somebody else’s Via', () => {
    const first = request();
    const hash = requestHash(first);
    const other = request([], first.uri, [`SIP/2.0/UDP 10.0.0.9:5080;branch=${loopBranch(hash, 1)}`]);
    expect(validateForward(other, own, hash)).toBeNull();
  });
});

describe('processRoutes (§16.4)', () => {
  it('removes our Route entries (both of a double Record-Route) and keeps the rest', () => {
    const r = request([
      'Route: <sip:127.0.0.1:5080;lr>, <sip:127.0.0.1:5080;transport=tcp;lr>',
      'Route: <sip:10.1.1.1;lr>',
    ]);
    processRoutes(r, own);
    expect(r.headers.getAll('Route')).toEqual(['<sip:10.1.1.1;lr>']);
    expect(nextHopUri(r)).toBe('sip:10.1.1.1;lr');
  });

  it('undoes a strict router: our URI in the Request-URI comes back from the last Route', () => {
    const r = request(
      ['Route: <sip:10.1.1.1;lr>', 'Route: <sip:callee@10.2.2.2:5060>'],
      'sip:127.0.0.1:5080;lr',
    );
    processRoutes(r, own);
    expect(r.uri).toBe('sip:callee@10.2.2.2:5060');
    expect(r.headers.getAll('Route')).toEqual(['<sip:10.1.1.1;lr>']);
  });

  it('without Route the next hop is the Request-URI', () => {
    const r = request([], 'sip:callee@10.2.2.2:5062');
    processRoutes(r, own);
    expect(nextHopUri(r)).toBe('sip:callee@10.2.2.2:5062');
  });
});
