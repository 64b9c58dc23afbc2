import { describe, expect, it } from 'vitest';
import {
  createResponse,
  isRequest,
  isResponse,
  newBranch,
  newCallId,
  newTag,
  parseMessage,
  SipParseError,
  SipRequest,
  type SipMessage,
} from '../../../src/sip/message/index';

const crlf = (lines: string[]): Buffer => Buffer.from(lines.join('\r\n'));

const INVITE = crlf([
  'INVITE sip:bob@biloxi.example.com SIP/2.0',
  'Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds, SIP/2.0/TCP [2001:db8::1]:5061;branch=z9hG4bKabc;received=192.0.2.1',
  'v: SIP/2.0/UDP 192.0.2.7;rport;branch=z9hG4bK3',
  'Max-Forwards: 70',
  'Route: <sip:p1.example.com;lr>,',
  ' <sip:p2.example.com;lr>',
  't: Bob <sip:bob@biloxi.example.com>',
  'f: "Alice \\"A\\" Liddell" <sip:alice@atlanta.example.com>;tag=1928301774',
  'i: a84b4c76e66710@pc33.atlanta.example.com',
  'CSeq: 314159 INVITE',
  'Contact: <sip:alice@pc33.atlanta.example.com>',
  'X-Long: first',
  '\tsecond',
  'c: application/sdp',
  'l: 4',
  '',
  'v=0\r\n',
]);

function parseErr(b: Buffer | string, opts?: Parameters<typeof parseMessage>[1]): SipParseError {
  try {
    parseMessage(typeof b === 'string' ? Buffer.from(b) : b, opts);
  } catch (e) {
    expect(e).toBeInstanceOf(SipParseError);
    return e as SipParseError;
  }
  throw new Error('expected a SipParseError');
}

describe('parseMessage: the fast-path accessors', () => {
  const m = parseMessage(INVITE) as SipRequest;

  it('reads the request line', () => {
    expect(isRequest(m)).toBe(true);
    expect(isResponse(m)).toBe(false);
    expect(m.method).toBe('INVITE');
    expect(m.uri).toBe('sip:bob@biloxi.example.com');
    expect(m.requestUri).toMatchObject({ kind: 'sip', user: 'bob', host: 'biloxi.example.com', port: null });
  });

  it('flattens Via lines and comma lists, top first, with compact forms', () => {
    expect(m.vias.map((v) => [v.transport, v.host, v.port, v.params.branch])).toEqual([
      ['UDP', 'pc33.atlanta.example.com', null, 'z9hG4bK776asdhds'],
      ['TCP', '2001:db8::1', 5061, 'z9hG4bKabc'],
      ['UDP', '192.0.2.7', null, 'z9hG4bK3'],
    ]);
    expect(m.vias[2]?.params.rport).toBeNull();
    expect(m.topVia.params.branch).toBe('z9hG4bK776asdhds');
  });

  it('reads tags, Call-ID, CSeq, Max-Forwards, folded Route and Content-Length', () => {
    expect(m.fromTag).toBe('1928301774');
    expect(m.from.displayName).toBe('Alice "A" Liddell');
    expect(m.toTag).toBeNull();
    expect(m.to.displayName).toBe('Bob');
    expect(m.callId).toBe('a84b4c76e66710@pc33.atlanta.example.com');
    expect(m.cseq).toEqual({ seq: 314159, method: 'INVITE' });
    expect(m.maxForwards).toBe(70);
    expect(m.routes.map((r) => r.uri)).toEqual(['sip:p1.example.com;lr', 'sip:p2.example.com;lr']);
    expect(m.headers.get('X-Long')).toBe('first second');
    expect(m.headers.get('content-type')).toBe('application/sdp');
    expect(m.body.toString()).toBe('v=0\r');
  });

  it('matches names case-insensitively and splits only list headers', () => {
    expect(m.headers.get('CALL-ID')).toBe(m.callId);
    expect(m.headers.getAll('via')).toHaveLength(3);
    expect(m.headers.getAll('route')).toEqual(['<sip:p1.example.com;lr>', '<sip:p2.example.com;lr>']);
    expect(m.headers.getAll('x-long')).toEqual(['first second']);
  });
});

describe('parseMessage: edits and serialization', () => {
  it('drops a cached parse when the header is edited', () => {
    const m = parseMessage(INVITE);
    expect(m.maxForwards).toBe(70);
    m.headers.set('Max-Forwards', '69');
    expect(m.maxForwards).toBe(69);
    expect(m.topVia.host).toBe('pc33.atlanta.example.com');
    m.headers.prepend('Via', 'SIP/2.0/UDP 203.0.113.5;branch=z9hG4bKnew');
    expect(m.topVia.host).toBe('203.0.113.5');
    expect(m.headers.removeFirst('Via')).toBe('SIP/2.0/UDP 203.0.113.5;branch=z9hG4bKnew');
    expect(m.headers.removeFirst('Via')).toBe('SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds');
    expect(m.topVia.host).toBe('2001:db8::1');
    expect(m.vias).toHaveLength(2);
  });

  it('serializes edits: new Via on top, Record-Route, Content-Length from the body', () => {
    const m = parseMessage(INVITE) as SipRequest;
    m.headers.prepend('Via', 'SIP/2.0/UDP 203.0.113.5;branch=z9hG4bKnew');
    m.headers.prepend('Record-Route', '<sip:203.0.113.5;lr>');
    m.body = Buffer.from('v=0\r\no=-\r\n');
    const again = parseMessage(m.toBuffer(), { strict: true }) as SipRequest;
    expect(again.topVia.host).toBe('203.0.113.5');
    expect(again.vias).toHaveLength(4);
    expect(again.recordRoutes.map((r) => r.uri)).toEqual(['sip:203.0.113.5;lr']);
    expect(again.headers.get('content-length')).toBe('10');
    expect(again.body.toString()).toBe('v=0\r\no=-\r\n');
    expect(again.headers.get('X-Long')).toBe('first second');
  });

  it('refuses header values that would inject lines', () => {
    const m = parseMessage(INVITE);
    expect(() => m.headers.set('Subject', 'hi\r\nVia: evil')).toThrow(/CR, LF or NUL/);
    expect(() => m.headers.append('Bad Name', 'x')).toThrow(/not a token/);
    expect(m.headers.has('subject')).toBe(false);
  });
});

describe('parseMessage: framing rules', () => {
  const base = ['OPTIONS sip:a@example.com SIP/2.0', 'Via: SIP/2.0/UDP h;branch=z9hG4bK1', 'CSeq: 1 OPTIONS'];

  it.each([
    ['datagram without Content-Length: body to the end', [...base, '', 'abc'], { datagram: true }, 'abc'],
    ['octets after Content-Length are ignored', [...base, 'Content-Length: 1', '', 'abc'], {}, 'a'],
    ['leading CRLFs are skipped', ['', '', ...base, 'l: 0', '', ''], {}, ''],
  ])('%s', (_, lines, opts, body) => {
    expect(parseMessage(crlf(lines), opts).body.toString()).toBe(body);
  });

  it.each([
    [
      'Content-Length larger than the datagram',
      [...base, 'Content-Length: 9', '', 'abc'],
      {},
      'SIP_CONTENT_LENGTH_MISMATCH',
      400,
    ],
    [
      'missing Content-Length on a stream',
      [...base, '', ''],
      { datagram: false },
      'SIP_MISSING_CONTENT_LENGTH',
      400,
    ],
    ['negative Content-Length', [...base, 'Content-Length: -1', '', ''], {}, 'SIP_BAD_CONTENT_LENGTH', 400],
    [
      'conflicting Content-Lengths',
      [...base, 'l: 1', 'Content-Length: 2', '', 'ab'],
      {},
      'SIP_BAD_CONTENT_LENGTH',
      400,
    ],
    ['no empty line', ['OPTIONS sip:a@b SIP/2.0', 'Via: x'], {}, 'SIP_HEADERS_INCOMPLETE', 400],
    ['header line without colon', [...base, 'Garbage', '', ''], {}, 'SIP_BAD_HEADER_LINE', 400],
    [
      'continuation before any header',
      ['OPTIONS sip:a@b SIP/2.0', ' folded', '', ''],
      {},
      'SIP_BAD_HEADER_LINE',
      400,
    ],
    ['SIP/3.0 request', ['OPTIONS sip:a@b SIP/3.0', '', ''], {}, 'SIP_BAD_VERSION', 505],
    ['method that is not a token', ['OPT(IONS sip:a@b SIP/2.0', '', ''], {}, 'SIP_BAD_METHOD', 400],
    ['status out of range', ['SIP/2.0 700 Nope', '', ''], {}, 'SIP_BAD_STATUS', undefined],
    ['bad response version', ['SIP/1.0 200 OK', '', ''], {}, 'SIP_BAD_VERSION', undefined],
  ] as const)('%s → %s', (_, lines, opts, code, status) => {
    const e = parseErr(crlf([...lines]), opts);
    expect(e.code).toBe(code);
    expect(e.status).toBe(status);
  });

  it('rejects empty input and invalid UTF-8 in the header section', () => {
    expect(parseErr(Buffer.alloc(0)).code).toBe('SIP_EMPTY_MESSAGE');
    expect(parseErr('\r\n\r\n').code).toBe('SIP_EMPTY_MESSAGE');
    const bad = Buffer.concat([
      Buffer.from('OPTIONS sip:a@b SIP/2.0\r\nSubject: '),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('\r\n\r\n'),
    ]);
    expect(parseErr(bad).code).toBe('SIP_BAD_ENCODING');
  });

  it('enforces the limits and names them', () => {
    const big = crlf([...base, `X: ${'a'.repeat(100)}`, '', '']);
    const e1 = parseErr(big, { limits: { maxMessageBytes: 50 } });
    expect([e1.code, e1.message]).toEqual([
      'SIP_MESSAGE_TOO_LARGE',
      'the message is larger than maxMessageBytes (50 octets)',
    ]);
    const e2 = parseErr(big, { limits: { maxLineLength: 64 } });
    expect([e2.code, e2.params.limit]).toEqual(['SIP_LINE_TOO_LONG', 64]);
    const e3 = parseErr(big, { limits: { maxHeaders: 2 } });
    expect([e3.code, e3.params.limit]).toEqual(['SIP_TOO_MANY_HEADERS', 2]);
    expect(() => parseMessage(big, { limits: { maxHeaders: 0 } })).toThrow(
      /maxHeaders must be a positive integer/,
    );
  });

  it('lazy accessors throw SipParseError for malformed values (no status on a response)', () => {
    const req = parseMessage(crlf([...base, 'Max-Forwards: 256', 'From: "x <sip:a@b>', '', '']));
    expect(() => req.maxForwards).toThrow(SipParseError);
    expect(() => req.from).toThrow(/unterminated quoted string/);
    expect(() => req.callId).toThrow(/Call-ID header is missing/);
    const res = parseMessage(crlf(['SIP/2.0 200 OK', 'CSeq: x', '', '']));
    try {
      void res.cseq;
      expect.unreachable();
    } catch (e) {
      expect((e as SipParseError).status).toBeUndefined();
    }
  });
});

describe('createResponse (RFC 3261 §8.2.6)', () => {
  const req = parseMessage(INVITE) as SipRequest;

  it('copies Via, From, To, Call-ID, CSeq and adds a To tag', () => {
    const res = createResponse(req, 486);
    expect(res.reason).toBe('Busy Here');
    expect(res.vias).toEqual(req.vias);
    expect(res.fromTag).toBe(req.fromTag);
    expect(res.callId).toBe(req.callId);
    expect(res.cseq).toEqual(req.cseq);
    expect(res.toTag).toMatch(/^[A-Za-z0-9_-]{8,}$/);
    expect(res.headers.has('contact')).toBe(false);
    const wire = parseMessage(res.toBuffer());
    expect(isResponse(wire) && wire.status).toBe(486);
  });

  it('uses the given tag, adds none to a 100, and refuses a bad status', () => {
    expect(createResponse(req, 200, 'Fine', { toTag: 'abc' }).toTag).toBe('abc');
    expect(createResponse(req, 100).toTag).toBeNull();
    expect(() => createResponse(req, 99)).toThrow(/between 100 and 699/);
  });

  it('still answers a request whose To is malformed', () => {
    const bad = parseMessage(
      crlf(['OPTIONS sip:a@b SIP/2.0', 'To: "unterminated <sip:a@b>', 'Via: SIP/2.0/UDP h', '', '']),
    );
    const res = createResponse(bad as SipRequest, 400);
    expect(res.headers.get('to')).toBe('"unterminated <sip:a@b>');
  });
});

describe('identifiers', () => {
  it('are unique and well formed', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const b = newBranch();
      expect(b).toMatch(/^z9hG4bK[A-Za-z0-9_-]{16}$/);
      seen.add(b);
      seen.add(newTag());
      seen.add(newCallId());
    }
    expect(seen.size).toBe(6000);
  });
});

describe('constructed messages', () => {
  it('serialize and parse back', () => {
    const m: SipMessage = new SipRequest('OPTIONS', 'sip:[::1]:5060', [
      ['Via', `SIP/2.0/UDP [::1]:5070;branch=${newBranch()}`],
      ['To', '<sip:[::1]:5060>'],
      ['From', `<sip:geored@[::1]>;tag=${newTag()}`],
      ['Call-ID', newCallId()],
      ['CSeq', '1 OPTIONS'],
      ['Max-Forwards', '70'],
    ]);
    const back = parseMessage(m.toBuffer(), { strict: true, datagram: false }) as SipRequest;
    expect(back.requestUri).toMatchObject({ host: '::1', port: 5060 });
    expect(back.topVia).toMatchObject({ host: '::1', port: 5070 });
    expect(back.headers.get('content-length')).toBe('0');
  });
});
