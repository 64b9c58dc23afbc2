import { describe, expect, it } from 'vitest';
import { detached, parseMessage } from '../../../src/sip/message';

describe('detached', () => {
  it('returns a string equal to the one given, short or long, sliced from a message or not', () => {
    const msg = parseMessage(
      Buffer.from(
        'INVITE sip:1@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-1\r\n' +
          'From: <sip:a@example.com>;tag=1\r\nTo: <sip:1@example.com>\r\n' +
          'Call-ID: 1-12345@127.0.0.1.example.com\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n',
      ),
    );
    for (const s of ['', 'a', '12 characters', '13 characters', msg.callId, 'ü'.repeat(40)]) {
      const d = detached(s);
      expect(d).toBe(s);
      expect(d.length).toBe(s.length);
    }
    expect(detached(msg.callId)).toBe('1-12345@127.0.0.1.example.com');
  });
});
