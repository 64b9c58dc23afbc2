import { describe, expect, it } from 'vitest';
import {
  checkRequestSemantics,
  isRequest,
  parseMessage,
  SipParseError,
} from '../../../src/sip/message/index';
import { loadFixtures } from './fixtures';

const fixtures = loadFixtures();

function outcome(bytes: Buffer): { accepted: boolean; status: number | undefined; request: boolean } {
  try {
    const m = parseMessage(bytes, { strict: true });
    const v = isRequest(m) ? (checkRequestSemantics(m, 'proxy') ?? checkRequestSemantics(m, 'uas')) : null;
    return { accepted: true, status: v?.status, request: isRequest(m) };
  } catch (e) {
    expect(e).toBeInstanceOf(SipParseError);
    return {
      accepted: false,
      status: (e as SipParseError).status,
      request: !bytes.toString('latin1', 0, 4).startsWith('SIP/'),
    };
  }
}

describe('RFC 4475 and RFC 5118 torture messages', () => {
  it('covers all of RFC 4475 (49 messages) and RFC 5118 (12 messages)', () => {
    const n4475 = fixtures.filter((f) => !f.folder.endsWith('rfc5118')).length;
    expect(n4475).toBe(49);
    expect(fixtures.length - n4475).toBe(12);
  });

  it.each(fixtures.map((f) => [`${f.exp.section} ${f.name}`, f] as const))(
    '%s gets the RFC outcome',
    (_, f) => {
      const o = outcome(f.bytes);
      switch (f.exp.expect) {
        case 'valid':
          expect(o).toMatchObject({ accepted: true, status: undefined });
          break;
        case 'either':
          expect(o.status === undefined || o.status === 400).toBe(true);
          break;
        case 'semantic':
          expect(o.accepted).toBe(true);
          expect(o.status).toBe(f.exp.response);
          break;
        case 'invalid':
          expect(o.accepted).toBe(false);
          // A malformed request is answered (400 unless the RFC names another status); a response is dropped.
          expect(o.status).toBe(o.request ? (f.exp.response ?? 400) : undefined);
          break;
      }
    },
  );

  it('accepted messages survive serialize → parse with the same fast-path view', () => {
    for (const f of fixtures) {
      let m;
      try {
        m = parseMessage(f.bytes, { strict: true });
      } catch {
        continue;
      }
      const again = parseMessage(m.toBuffer(), { strict: true });
      // toBuffer adds the Content-Length an RFC 2543 message left out.
      expect(again.headers.size, f.name).toBe(m.headers.size + (m.headers.has('content-length') ? 0 : 1));
      expect(again.body.equals(m.body), f.name).toBe(true);
      if (m.headers.has('via')) expect(again.vias, f.name).toEqual(m.vias);
    }
  });
});
