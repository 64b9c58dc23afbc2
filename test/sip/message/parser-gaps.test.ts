import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  checkMessage,
  DEFAULT_LIMITS,
  parseMessage,
  parseVia,
  SipParseError,
  StreamFramer,
  type Framed,
} from '../../../src/sip/message/index';

// Issue 7, SIP core: gaps found against other stacks' parser tests.

function viaError(value: string): SipParseError {
  try {
    parseVia(value);
  } catch (e) {
    if (e instanceof SipParseError) return e;
    throw e;
  }
  throw new Error(`parseVia accepted ${value}`);
}

function request(viaParams: string): Buffer {
  return Buffer.from(
    `OPTIONS sip:b@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1${viaParams}\r\n` +
      'From: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:b@127.0.0.1>\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\n' +
      'Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n',
  );
}

describe('Via parameter values (RFC 3261 §25.1, RFC 3581 §3)', () => {
  const bad: Array<[string, RegExp]> = [
    [';rport=abc', /rport="abc" is not a port \(1 to 65535\)/],
    [';rport=0', /rport="0" is not a port/],
    [';rport=65536', /rport="65536" is not a port/],
    [';received=example.com', /received="example.com" is not an IP address/],
    [';received=192.0.2.300', /received="192.0.2.300" is not an IP address/],
    [';received', /received without a value/],
    [';ttl=256', /ttl="256" is not a TTL \(0 to 255\)/],
    [';ttl=1a', /ttl="1a" is not a TTL/],
    [';ttl', /ttl="" is not a TTL/],
    [';maddr=-bad-', /maddr="-bad-" is not a host/],
    [';maddr', /maddr without a value/],
  ];
  it.each(bad)('refuses %s, on the fast path and the full grammar alike', (params, message) => {
    // The common shape (read by the one-pass reader) and one with white space (read by the grammar).
    for (const value of [
      `SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1${params}`,
      `SIP/2.0/UDP 192.0.2.1 ;branch=z9hG4bK1${params}`,
    ]) {
      const e = viaError(value);
      expect(e.code).toBe('SIP_BAD_HEADER');
      expect(e.message).toMatch(message);
      expect(e.status).toBe(400);
    }
    // A request's top Via is read lazily: first access throws the same error; strict parsing throws it up front.
    const m = parseMessage(request(params));
    expect(() => m.topVia).toThrow(message);
    expect(() => checkMessage(m)).toThrow(message);
  });

  const good = [
    ';rport',
    ';rport=5060',
    ';rport=65535',
    ';received=192.0.2.9',
    ';received=2001:db8::9',
    ';received=[2001:db8::9]',
    ';ttl=0',
    ';ttl=255',
    ';maddr=239.255.255.1',
    ';maddr=sip.example.com',
    ';maddr=[ff02::1]',
  ];
  it.each(good)('accepts %s, with the value as written', (params) => {
    const fast = parseVia(`SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1${params}`);
    const full = parseVia(`SIP/2.0/UDP 192.0.2.1:5060 ;branch=z9hG4bK1${params}`);
    expect(fast).toEqual(full);
    const [name, value] = params.slice(1).split(/=(.*)/s);
    expect((fast[0] as { params: Record<string, string | null> }).params[name as string]).toBe(value ?? null);
  });
});

describe('what is accepted can be forwarded', () => {
  it('re-parses a datagram with exactly maxHeaders header lines and no Content-Length after serialization', () => {
    const lines = [
      'Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1',
      'From: <sip:a@127.0.0.1>;tag=1',
      'To: <sip:b@127.0.0.1>',
      'Call-ID: c',
      'CSeq: 1 OPTIONS',
      'Max-Forwards: 70',
    ];
    while (lines.length < DEFAULT_LIMITS.maxHeaders) lines.push(`X-Filler-${lines.length}: v`);
    const bytes = Buffer.from(`OPTIONS sip:b@127.0.0.1 SIP/2.0\r\n${lines.join('\r\n')}\r\n\r\n`);
    const m = parseMessage(bytes, { strict: true });
    expect(m.headers.list).toHaveLength(256);
    const out = m.toBuffer();
    // Serialization adds Content-Length (RFC 3261 §18.3); the first one is not counted against the limit.
    const again = parseMessage(out, { strict: true, datagram: false });
    expect(again.headers.list).toHaveLength(257);
    expect(again.headers.get('content-length')).toBe('0');
    // One more real header line is still refused, with or without Content-Length.
    const over = Buffer.from(
      `OPTIONS sip:b@127.0.0.1 SIP/2.0\r\n${lines.join('\r\n')}\r\nX-One-Too-Many: v\r\nContent-Length: 0\r\n\r\n`,
    );
    expect(() => parseMessage(over)).toThrow(/more than maxHeaders \(256\)/);
    // A second (equal) Content-Length line counts like any other line.
    const twice = Buffer.from(
      `OPTIONS sip:b@127.0.0.1 SIP/2.0\r\n${lines.join('\r\n')}\r\nContent-Length: 0\r\nContent-Length: 0\r\n\r\n`,
    );
    expect(() => parseMessage(twice)).toThrow(/more than maxHeaders \(256\)/);
  });

  it('reads a line as long as the message limit allows (Kamailio reads 64 KB messages)', () => {
    expect(DEFAULT_LIMITS.maxLineLength).toBe(DEFAULT_LIMITS.maxMessageBytes);
    const route = `<sip:${'r'.repeat(30_000)}@192.0.2.1;lr>`;
    const m = parseMessage(
      Buffer.from(
        `SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\nRecord-Route: ${route}\r\n` +
          'From: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:b@127.0.0.1>;tag=2\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n',
      ),
      { strict: true },
    );
    expect(m.headers.get('record-route')).toBe(route);
  });
});

/** A frame as its kind and a digest of its octets. */
function describeFrame(f: Framed): string {
  if (f.kind === 'keepalive') return `keepalive ${f.ping}`;
  const b = f.kind === 'message' ? f.bytes : f.head;
  return `${f.kind} ${b.length} ${createHash('sha256').update(b).digest('hex')}`;
}

describe('StreamFramer work is linear in the octets received', () => {
  const sdp = 'v=0\r\n' + 'a=fmtp:101 0-15\r\n'.repeat(2_500); // ~41 KB body
  const filler = Array.from({ length: 200 }, (_, i) => `X-H${i}: ${'h'.repeat(80)}`).join('\r\n'); // ~18 KB of headers
  const message = Buffer.from(
    `INVITE sip:b@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 192.0.2.1;branch=z9hG4bK1\r\n${filler}\r\n` +
      `Content-Type: application/sdp\r\nContent-Length: ${sdp.length}\r\n\r\n${sdp}`,
  );

  it('a 60 KB message arriving one octet per read is scanned once and copied a bounded number of times', () => {
    expect(message.length).toBeGreaterThan(59_000);
    expect(message.length).toBeLessThan(DEFAULT_LIMITS.maxMessageBytes);
    const f = new StreamFramer();
    const got: Framed[] = [];
    for (let i = 0; i < message.length; i++) got.push(...f.push(message.subarray(i, i + 1)));
    expect(got).toEqual([{ kind: 'message', bytes: message }]);
    const headLength = message.indexOf('\r\n\r\n') + 4;
    // Every octet of the header section examined exactly once; the body not at all.
    expect(f.work.scanned).toBe(headLength);
    // Each octet copied in, moved at most once per doubling (a geometric series below 2x), copied out once.
    expect(f.work.copied).toBeLessThanOrEqual(4 * message.length);
    expect(f.buffered).toBe(0);
  });

  it('gives the same messages and the same work however the stream is cut', () => {
    const stream = Buffer.concat([message, Buffer.from('\r\n\r\n'), message, message]);
    const whole = new StreamFramer();
    const expected = whole.push(stream);
    expect(expected.map((x) => x.kind)).toEqual(['message', 'keepalive', 'message', 'message']);
    let seed = 7;
    const rand = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n) + 1;
    for (let round = 0; round < 5; round++) {
      const f = new StreamFramer();
      const got: Framed[] = [];
      for (let i = 0; i < stream.length;) {
        const n = rand(3000);
        got.push(...f.push(stream.subarray(i, i + n)));
        i += n;
      }
      // Compared as bytes: a deep equality over 60 KB buffers is slow for no gain.
      expect(got.map(describeFrame)).toEqual(expected.map(describeFrame));
      expect(f.work.scanned).toBe(whole.work.scanned);
      expect(f.work.copied).toBeLessThanOrEqual(4 * stream.length);
    }
  });

  it('still reads a folded and repeated Content-Length, and refuses conflicting ones', () => {
    const folded = Buffer.from('OPTIONS sip:a@b SIP/2.0\r\nContent-Length:\r\n  4\r\nl: 4\r\n\r\nbody');
    const f = new StreamFramer();
    const got: Framed[] = [];
    for (const byte of folded) got.push(...f.push(Buffer.from([byte])));
    expect(got).toEqual([{ kind: 'message', bytes: folded }]);
    const g = new StreamFramer();
    expect(() =>
      g.push(Buffer.from('OPTIONS sip:a@b SIP/2.0\r\nContent-Length: 4\r\nl: 5\r\n\r\nbody')),
    ).toThrow(/"4" and "5"/);
  });
});
