/** The request rules every element applies before serving a request (src/sip/message/semantics.ts). */
import { describe, expect, it } from 'vitest';
import { checkRequestSemantics, parseMessage, type SipRequest } from '../../../src/sip/message';

function req(method: string, cseq: string, extra: string[] = []): SipRequest {
  const text = [
    `${method} sip:b@127.0.0.1 SIP/2.0`,
    'Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-sem',
    'From: <sip:a@127.0.0.1>;tag=1',
    'To: <sip:b@127.0.0.1>',
    'Call-ID: sem-1',
    `CSeq: ${cseq}`,
    ...extra,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  return parseMessage(Buffer.from(text)) as SipRequest;
}

describe('checkRequestSemantics', () => {
  it.each(['proxy', 'uas'] as const)(
    '%s: a CSeq method other than the request method is a 400 (§8.1.1.5)',
    (role) => {
      expect(checkRequestSemantics(req('INVITE', '1 BYE'), role)).toEqual({
        status: 400,
        reason: 'CSeq method BYE differs from the request method INVITE (RFC 3261 §8.1.1.5)',
      });
      expect(checkRequestSemantics(req('INVITE', '1 INVITE'), role)).toBeNull();
      expect(checkRequestSemantics(req('CANCEL', '1 CANCEL'), role)).toBeNull();
    },
  );

  it.each(['abc', '300', '-1'])('a Max-Forwards of %s is a 400 naming the header', (mf) => {
    const v = checkRequestSemantics(req('INVITE', '1 INVITE', [`Max-Forwards: ${mf}`]), 'uas');
    expect(v?.status).toBe(400);
    expect(v?.reason).toContain('Max-Forwards');
  });
});
