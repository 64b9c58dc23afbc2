import { describe, expect, it } from 'vitest';
import { parseMessage, SipParseError, StreamFramer, type Framed } from '../../../src/sip/message/index';

const msg = (body = ''): Buffer =>
  Buffer.from(
    `OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );

describe('StreamFramer', () => {
  it('cuts back-to-back messages by Content-Length and reports keep-alives (RFC 5626 §3.5.1)', () => {
    const f = new StreamFramer();
    const out = f.push(Buffer.concat([Buffer.from('\r\n\r\n'), msg('hello'), Buffer.from('\r\n'), msg()]));
    expect(out.map((x) => x.kind)).toEqual(['keepalive', 'message', 'keepalive', 'message']);
    expect(out[0]).toEqual({ kind: 'keepalive', ping: true });
    expect(out[2]).toEqual({ kind: 'keepalive', ping: false });
    expect(
      parseMessage((out[1] as Extract<Framed, { kind: 'message' }>).bytes, {
        datagram: false,
      }).body.toString(),
    ).toBe('hello');
    expect(f.buffered).toBe(0);
  });

  it('waits for the rest of a message, byte by byte', () => {
    const f = new StreamFramer();
    const whole = msg('a body');
    const got: Framed[] = [];
    for (const byte of whole) got.push(...f.push(Buffer.from([byte])));
    expect(got).toEqual([{ kind: 'message', bytes: whole }]);
  });

  it('requires Content-Length and then stays failed', () => {
    const f = new StreamFramer();
    expect(() => f.push(Buffer.from('OPTIONS sip:a@b SIP/2.0\r\nVia: x\r\n\r\n'))).toThrow(
      /Content-Length is required/,
    );
    expect(() => f.push(msg())).toThrow(SipParseError);
  });

  it('never holds more than maxMessageBytes', () => {
    const f = new StreamFramer({ maxMessageBytes: 100 });
    expect(() => f.push(Buffer.from('OPTIONS sip:a@b SIP/2.0\r\nX: ' + 'a'.repeat(200)))).toThrow(
      /maxMessageBytes \(100 octets\)/,
    );
    // A header section that fits with a Content-Length that does not: reported with its header section
    // (so the stack can answer 513 or end the transaction), and the stream fails after it.
    const g = new StreamFramer({ maxMessageBytes: 100 });
    const head = 'OPTIONS sip:a@b SIP/2.0\r\nContent-Length: 5000\r\n\r\n';
    expect(g.push(Buffer.from(head + 'body'))).toEqual([
      { kind: 'oversized', head: Buffer.from(head), length: head.length + 5000 },
    ]);
    expect(g.buffered).toBe(0);
    expect(() => g.push(msg())).toThrow(/maxMessageBytes/);
  });
});
