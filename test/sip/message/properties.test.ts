import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkMessage,
  formatNameAddr,
  formatUri,
  formatVia,
  isRequest,
  paramsFrom,
  parseMessage,
  SipParseError,
  SipRequest,
  SipResponse,
  StreamFramer,
  type SipMessage,
  type Uri,
  type Via,
} from '../../../src/sip/message/index';

const TOKEN_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.!%*_+`'~".split('');
const token = fc.string({ unit: fc.constantFrom(...TOKEN_CHARS), minLength: 1, maxLength: 12 });
const label = fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/);
const hostname = fc.array(label, { minLength: 1, maxLength: 3 }).map((l) => [...l, 'example'].join('.'));
const host = fc.oneof(hostname, fc.ipV4(), fc.ipV6());
const port = fc.option(fc.integer({ min: 1, max: 65535 }), { nil: null });
const pname = fc.stringMatching(/^[a-z][a-z0-9-]{0,7}$/);
const params = fc
  .uniqueArray(fc.tuple(pname, fc.option(fc.stringMatching(/^[a-zA-Z0-9.-]{1,10}$/), { nil: null })), {
    selector: ([k]) => k,
    maxLength: 3,
  })
  .map((entries) => paramsFrom(Object.fromEntries(entries)));
const user = fc.option(fc.stringMatching(/^[a-zA-Z0-9+_.!~*'()-]{1,12}$/), { nil: null });

const sipUri: fc.Arbitrary<Uri> = fc.record({
  kind: fc.constant('sip' as const),
  scheme: fc.constantFrom('sip' as const, 'sips' as const),
  user,
  password: fc.constant(null),
  host,
  port,
  params,
  headers: fc.constant([] as Array<[string, string]>),
});

const via: fc.Arbitrary<Via> = fc.record({
  protocol: fc.constant('SIP'),
  version: fc.constant('2.0'),
  transport: fc.constantFrom('UDP', 'TCP', 'TLS', 'SCTP'),
  host,
  port,
  params: fc.tuple(params, token).map(([p, b]) => Object.assign(p, { branch: `z9hG4bK${b}` })),
});

// Display names: any text without CR/LF (quoting escapes the rest).
const displayName = fc.option(
  fc.string({ maxLength: 12 }).filter((s) => !/[\r\n]/.test(s)),
  { nil: null },
);
const nameAddr = fc.record({ displayName, uri: sipUri.map(formatUri), params });
const headerValue = fc
  .string({ maxLength: 30 })
  .filter((s) => !/[\r\n\0]/.test(s))
  .map((s) => s.trim());

const message: fc.Arbitrary<SipMessage> = fc
  .record({
    request: fc.boolean(),
    method: fc.oneof(fc.constantFrom('INVITE', 'ACK', 'BYE', 'OPTIONS', 'REGISTER'), token),
    uri: sipUri.map(formatUri),
    status: fc.integer({ min: 100, max: 699 }),
    reason: fc.string({ maxLength: 20 }).filter((s) => !/[\x00-\x1f\x7f]/.test(s)),
    vias: fc.array(via, { minLength: 1, maxLength: 3 }),
    from: nameAddr,
    to: nameAddr,
    callId: fc.stringMatching(/^[a-zA-Z0-9.-]{1,20}(@[a-z0-9.]{1,10})?$/),
    seq: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    maxForwards: fc.integer({ min: 0, max: 255 }),
    extra: fc.array(
      fc.tuple(
        token.map((t) => `X-${t}`),
        headerValue,
      ),
      { maxLength: 4 },
    ),
    body: fc.uint8Array({ maxLength: 64 }),
  })
  .map((r) => {
    const headers: Array<[string, string]> = [
      ...r.vias.map((v) => ['Via', formatVia(v)] as [string, string]),
      ['From', formatNameAddr(r.from)],
      ['To', formatNameAddr(r.to)],
      ['Call-ID', r.callId],
      ['CSeq', `${r.seq} ${r.request ? r.method : 'INVITE'}`],
      ['Max-Forwards', String(r.maxForwards)],
      ...r.extra,
    ];
    const body = Buffer.from(r.body);
    return r.request
      ? new SipRequest(r.method, r.uri, headers, body)
      : new SipResponse(r.status, r.reason, headers, body);
  });

function view(m: SipMessage): unknown {
  return {
    start: m.startLine(),
    headers: [...m.headers].filter(([n]) => n.toLowerCase() !== 'content-length'),
    body: m.body.toString('hex'),
    vias: m.vias,
    from: m.from,
    to: m.to,
    cseq: m.cseq,
    callId: m.callId,
    maxForwards: m.maxForwards,
    uri: isRequest(m) ? m.requestUri : null,
  };
}

/** Parses and reads everything; anything thrown must be a SipParseError. */
function tortureParse(bytes: Buffer): void {
  try {
    const m = parseMessage(bytes);
    for (const read of [
      () => m.vias,
      () => m.from,
      () => m.to,
      () => m.cseq,
      () => m.callId,
      () => m.maxForwards,
      () => m.routes,
      () => m.contacts,
    ]) {
      try {
        read();
      } catch (e) {
        if (!(e instanceof SipParseError)) throw e;
      }
    }
    checkMessage(m);
    m.toBuffer();
  } catch (e) {
    if (!(e instanceof SipParseError)) throw e;
  }
}

describe('properties', () => {
  it('parse(serialize(m)) is m, on datagrams and streams', () => {
    fc.assert(
      fc.property(message, (m) => {
        const wire = m.toBuffer();
        const back = parseMessage(wire, { strict: true, datagram: false });
        expect(view(back)).toEqual(view(m));
        expect(parseMessage(back.toBuffer()).toBuffer().equals(wire)).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it('random byte mutations never throw anything but SipParseError', () => {
    fc.assert(
      fc.property(
        message,
        fc.array(
          fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'insert', 'delete')),
          {
            minLength: 1,
            maxLength: 8,
          },
        ),
        (m, edits) => {
          const bytes = Array.from(m.toBuffer());
          for (const [at, byte, op] of edits) {
            const i = at % (bytes.length + 1);
            if (op === 'set' && i < bytes.length) bytes[i] = byte;
            else if (op === 'insert') bytes.splice(i, 0, byte);
            else bytes.splice(i, 1);
          }
          tortureParse(Buffer.from(bytes));
          const framer = new StreamFramer({ maxMessageBytes: 4096 });
          try {
            for (const f of framer.push(Buffer.from(bytes))) if (f.kind === 'message') tortureParse(f.bytes);
          } catch (e) {
            expect(e).toBeInstanceOf(SipParseError);
          }
        },
      ),
      { numRuns: 600 },
    );
  });

  it('a stream split anywhere frames into the same messages as whole', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(message, fc.constantFrom('', '\r\n\r\n', '\r\n')), { minLength: 1, maxLength: 4 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (items, cuts) => {
          const stream = Buffer.concat(items.flatMap(([m, ka]) => [Buffer.from(ka), m.toBuffer()]));
          const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
          const whole = new StreamFramer().push(stream).filter((f) => f.kind === 'message');
          const split = new StreamFramer();
          const got = [];
          let prev = 0;
          for (const p of [...points, stream.length]) {
            got.push(...split.push(stream.subarray(prev, p)));
            prev = p;
          }
          const messages = got.filter((f) => f.kind === 'message');
          expect(messages).toEqual(whole);
          expect(messages).toHaveLength(items.length);
          expect(split.buffered).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });
});
