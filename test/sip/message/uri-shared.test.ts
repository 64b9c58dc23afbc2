import { describe, expect, it } from 'vitest';
import {
  parseMessage,
  parseUri,
  parseUriShared,
  SipParseError,
  type SipRequest,
} from '../../../src/sip/message';

describe('parseUriShared', () => {
  it('gives what parseUri gives, the same frozen object for the same text, and keeps no message alive', () => {
    const msg = <SipRequest>(
      parseMessage(
        Buffer.from(
          'INVITE sip:+15550001111@carrier.example.com:5080;transport=udp;user=phone SIP/2.0\r\n' +
            'Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-1\r\nFrom: <sip:a@example.com>;tag=1\r\n' +
            'To: <sip:1@example.com>\r\nCall-ID: 1@x\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n',
        ),
      )
    );
    const text = msg.uri;
    const shared = parseUriShared(text);
    expect(shared).toEqual(parseUri(text));
    expect(parseUriShared(text)).toBe(shared);
    // Built from a text equal to it but not the same string: still the cached object.
    expect(parseUriShared([...text].join(''))).toBe(shared);
    expect(Object.isFrozen(shared)).toBe(true);
    if (shared.kind !== 'sip') throw new Error('expected a sip: URI');
    expect(Object.isFrozen(shared.params)).toBe(true);
    expect(Object.isFrozen(shared.headers)).toBe(true);
    // A caller that tries to edit it throws (modules are strict) instead of editing every holder's copy.
    expect(() => {
      (shared as { host: string }).host = 'elsewhere.example.com';
    }).toThrow(TypeError);
    expect(parseUriShared(text)).toEqual(parseUri(text));
  });

  it('throws as parseUri does for a text that does not parse, every time (nothing cached)', () => {
    for (let i = 0; i < 2; i++) {
      expect(() => parseUriShared('sip:@nohost')).toThrow(SipParseError);
    }
    expect(() => parseUri('sip:@nohost')).toThrow(SipParseError);
  });

  it('stays correct past its bound: a peer sending a new URI each time only empties the cache', () => {
    const first = parseUriShared('sip:keep@example.com');
    for (let i = 0; i < 2000; i++) {
      const u = parseUriShared(`sip:u${i}@h${i}.example.com:${1024 + i}`);
      expect(u).toMatchObject({ user: `u${i}`, host: `h${i}.example.com`, port: 1024 + i });
    }
    const again = parseUriShared('sip:keep@example.com');
    expect(again).toEqual(first);
    expect(again).not.toBe(first); // the cache was emptied on the way: a fresh parse
  });
});
