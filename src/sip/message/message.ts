import { codesOf, isDigits, TOKEN as TOKEN_TABLE, WORD as WORD_TABLE } from './charset';
import { SipParseError, excerpt } from './errors';
import { Headers, type HeaderField } from './headers';
import {
  parseNameAddr,
  parseNameAddrList,
  simpleNameAddrList,
  simpleNameAddrOnly,
  type NameAddr,
} from './name-addr';
import { matcher } from './intern';
import { Scanner } from './scanner';
import { parseUriShared, type Uri } from './uri';
import { parseVia, simpleVia, type Via } from './via';

// Local aliases: a hot loop reading an imported binding pays for a module-namespace lookup.
const TOKEN = TOKEN_TABLE;
const WORD = WORD_TABLE;

export interface CSeq {
  readonly seq: number;
  readonly method: string;
}

const CANONICAL: Record<string, string> = {
  via: 'Via',
  from: 'From',
  to: 'To',
  'call-id': 'Call-ID',
  cseq: 'CSeq',
  'max-forwards': 'Max-Forwards',
  route: 'Route',
  'record-route': 'Record-Route',
  contact: 'Contact',
  'content-length': 'Content-Length',
};

/**
 * What requests and responses share: ordered raw headers, the body, and lazy accessors for the headers
 * the proxy's fast path reads. Each accessor parses its header on first use and caches the result on the
 * header field, so an edit (which replaces the field) drops the cache. Accessors throw `SipParseError`
 * when a header they need is missing or malformed — `parseMessage(buf, { strict: true })` or
 * `checkMessage(m)` finds all such problems up front instead.
 */
abstract class SipMessageBase {
  headers: Headers;
  body: Buffer;

  constructor(headers?: Headers | Iterable<readonly [string, string]>, body?: Buffer) {
    this.headers = headers instanceof Headers ? headers : new Headers(headers);
    this.body = body ?? EMPTY;
  }

  abstract startLine(): string;
  protected abstract readonly answerable: boolean;

  /** The parsed form of the first field with `key`, computed once per field. */
  protected parsedFirst<T>(key: string, parse: (v: string) => T, fast?: ByteReader<T>): T {
    const f = this.headers.firstByKey(key);
    if (f === undefined)
      throw this.problem(new SipParseError('SIP_MISSING_HEADER', { header: CANONICAL[key] ?? key }));
    return this.parsedField(f, parse, fast);
  }

  /**
   * `fast`, when given, reads the common shapes straight from the received bytes (a typed-array load
   * costs a fraction of charCodeAt); when it gives up, or the field was not received as one ASCII line,
   * `parse` reads the value string with the full grammar and its errors.
   */
  protected parsedField<T>(f: HeaderField, parse: (v: string) => T, fast?: ByteReader<T>): T {
    if (f.parsed !== undefined) return f.parsed as T;
    if (fast !== undefined && f.vstart !== undefined) {
      const src = this.headers.source;
      if (src !== undefined) {
        const p = fast(src.buf, src.text, src.base + f.vstart, src.base + (f.vend as number), f.value);
        if (p !== undefined) {
          f.parsed = p;
          return p;
        }
      }
    }
    try {
      const p = parse(f.value);
      f.parsed = p;
      return p;
    } catch (e) {
      throw e instanceof SipParseError ? this.problem(e) : e;
    }
  }

  /** A response is never answered, so its errors carry no status (RFC 3261 §18.1.2: drop it). */
  protected problem(e: SipParseError): SipParseError {
    return this.answerable ? e : e.unanswerable();
  }

  get callId(): string {
    return this.parsedFirst('call-id', parseCallId, fastCallId);
  }

  get cseq(): CSeq {
    return this.parsedFirst('cseq', parseCSeq, simpleCSeq);
  }

  get from(): NameAddr {
    return this.parsedFirst('from', parseFrom, simpleNameAddrOnly);
  }

  get to(): NameAddr {
    return this.parsedFirst('to', parseTo, simpleNameAddrOnly);
  }

  get fromTag(): string | null {
    return this.from.params.tag ?? null;
  }

  get toTag(): string | null {
    return this.to.params.tag ?? null;
  }

  /** Every Via element, top first (several lines and comma lists flattened). */
  get vias(): Via[] {
    const out: Via[] = [];
    for (const f of this.headers.list)
      if (f.key === 'via') out.push(...this.parsedField(f, parseVia, fastVia));
    return out;
  }

  /** The top Via: only the first Via line is parsed. */
  get topVia(): Via {
    return this.parsedFirst('via', parseVia, fastVia)[0] as Via;
  }

  /** Max-Forwards, or null when the header is absent (RFC 2543 peers omit it). */
  get maxForwards(): number | null {
    const f = this.headers.firstByKey('max-forwards');
    return f === undefined ? null : this.parsedField(f, parseMaxForwards);
  }

  get routes(): NameAddr[] {
    return this.nameAddrs('route');
  }

  get recordRoutes(): NameAddr[] {
    return this.nameAddrs('record-route');
  }

  get contacts(): NameAddr[] {
    return this.nameAddrs('contact');
  }

  private nameAddrs(key: string): NameAddr[] {
    const out: NameAddr[] = [];
    const parse = NAME_ADDR_LIST[key] ?? ((v: string) => parseNameAddrList(v, key));
    const list = this.headers.list;
    for (let i = 0; i < list.length; i++) {
      const f = list[i] as HeaderField;
      if (f.key !== key) continue;
      const items = this.parsedField(f, parse, simpleNameAddrList);
      for (let k = 0; k < items.length; k++) out.push(items[k] as NameAddr);
    }
    return out;
  }

  /**
   * Serializes the message. Content-Length always states the body's length (RFC 3261 §18.3: mandatory on
   * streams, harmless on datagrams); every other field line goes out as it is held.
   */
  toBuffer(): Buffer {
    const body = this.body;
    const list = this.headers.list;
    const source = this.headers.source;
    const length = String(body.length);
    // Untouched received lines are taken as they were, in runs of adjacent lines sliced from the received
    // text; only edited or added lines are formatted. The header section is built as one string and
    // written with one call (latin1 when it is ASCII, which skips the UTF-8 encoder): fewer native calls
    // than copying each run as bytes, which is what dominated serializing a typical INVITE.
    const text = source === undefined ? '' : source.text;
    const base = source === undefined ? 0 : source.base;
    let head = this.startLine() + '\r\n';
    let runStart = -1;
    let runEnd = -1;
    let sawLength = false;
    for (let i = 0; i < list.length; i++) {
      const f = list[i] as HeaderField;
      let raw = source !== undefined && f.start !== undefined;
      if (f.key === 'content-length') {
        if (sawLength) continue;
        sawLength = true;
        if (f.value !== length) raw = false;
      }
      if (raw) {
        if (runStart >= 0 && f.start === runEnd + 2) {
          runEnd = f.end as number;
          continue;
        }
        if (runStart >= 0) head += text.slice(base + runStart, base + runEnd + 2);
        runStart = f.start as number;
        runEnd = f.end as number;
        continue;
      }
      if (runStart >= 0) {
        head += text.slice(base + runStart, base + runEnd + 2);
        runStart = -1;
      }
      head += f.name + ': ' + (f.key === 'content-length' ? length : f.value) + '\r\n';
    }
    if (runStart >= 0) head += text.slice(base + runStart, base + runEnd + 2);
    if (!sawLength) head += 'Content-Length: ' + length + '\r\n';
    head += '\r\n';
    const n = Buffer.byteLength(head, 'utf8');
    const out = Buffer.allocUnsafe(n + body.length);
    out.write(head, 0, n === head.length ? 'latin1' : 'utf8');
    out.set(body, n);
    return out;
  }

  toString(): string {
    return this.toBuffer().toString('utf8');
  }
}

const EMPTY = Buffer.alloc(0);

export class SipRequest extends SipMessageBase {
  method: string;
  private uriText: string;
  private uriParsed: Uri | undefined;
  protected readonly answerable = true;

  constructor(
    method: string,
    uri: string,
    headers?: Headers | Iterable<readonly [string, string]>,
    body?: Buffer,
  ) {
    super(headers, body);
    this.method = method;
    this.uriText = uri;
  }

  /** The Request-URI as written. Setting it drops the parsed form. */
  get uri(): string {
    return this.uriText;
  }

  set uri(value: string) {
    this.uriText = value;
    this.uriParsed = undefined;
  }

  /** The parsed Request-URI; throws SIP_BAD_REQUEST_URI (400) when it is malformed. */
  get requestUri(): Uri {
    if (this.uriParsed === undefined) this.uriParsed = parseRequestUri(this.uriText);
    return this.uriParsed;
  }

  startLine(): string {
    return `${this.method} ${this.uriText} SIP/2.0`;
  }

  /** A copy whose headers can be edited without touching this one (the body is shared, read-only). */
  clone(): SipRequest {
    return new SipRequest(this.method, this.uriText, this.headers.clone(), this.body);
  }
}

export class SipResponse extends SipMessageBase {
  status: number;
  reason: string;
  protected readonly answerable = false;

  constructor(
    status: number,
    reason: string,
    headers?: Headers | Iterable<readonly [string, string]>,
    body?: Buffer,
  ) {
    super(headers, body);
    this.status = status;
    this.reason = reason;
  }

  startLine(): string {
    return `SIP/2.0 ${this.status} ${this.reason}`;
  }

  clone(): SipResponse {
    return new SipResponse(this.status, this.reason, this.headers.clone(), this.body);
  }
}

export type SipMessage = SipRequest | SipResponse;

export function isRequest(m: SipMessage): m is SipRequest {
  return m instanceof SipRequest;
}

export function isResponse(m: SipMessage): m is SipResponse {
  return m instanceof SipResponse;
}

/**
 * Request-URI = SIP-URI / SIPS-URI / absoluteURI (RFC 3261 §25.1). Headers (`?...`) are not allowed in a
 * Request-URI (RFC 3261 §19.1.1 table; RFC 4475 §3.1.2.11).
 */
export function parseRequestUri(text: string): Uri {
  let u: Uri;
  try {
    u = parseUriShared(text);
  } catch (e) {
    if (e instanceof SipParseError) {
      throw new SipParseError('SIP_BAD_REQUEST_URI', { uri: excerpt(text), detail: String(e.params.detail) });
    }
    throw e;
  }
  if (u.kind === 'sip' && u.headers.length > 0) {
    throw new SipParseError('SIP_BAD_REQUEST_URI', {
      uri: excerpt(text),
      detail: 'header components are not allowed in a Request-URI',
    });
  }
  return u;
}

/** CSeq = 1*DIGIT LWS Method, the number below 2**31 (RFC 3261 §8.1.1.5). */
export function parseCSeq(value: string): CSeq {
  const fast = simpleCSeq(codesOf(value), value, 0, value.length);
  if (fast !== undefined) return fast;
  const sc = new Scanner(value, 'CSeq');
  sc.ws();
  const start = sc.pos;
  while (!sc.done && sc.peek() >= 48 && sc.peek() <= 57) sc.pos++;
  const digits = value.slice(start, sc.pos);
  if (digits === '') throw sc.fail('expected a sequence number');
  const seq = digits.length > 10 ? Infinity : Number(digits);
  if (seq > 0x7fffffff) throw sc.fail(`sequence number ${excerpt(digits, 24)} is not below 2**31`);
  if (!sc.ws()) throw sc.fail('expected white space before the method');
  const method = sc.token('a method');
  sc.endOfElement(false);
  return { seq, method };
}

/**
 * The common CSeq in s[from, n), `digits SP method` with no other white space, read in one pass over
 * its character codes `b` (b[k] is s's code at k, clamped to 255); undefined for anything else
 * (parseCSeq then reads it with the Scanner and its errors). The usual methods come back as literals,
 * which spares a string per message.
 */
function simpleCSeq(b: Uint8Array, s: string, from: number, n: number): CSeq | undefined {
  let seq = 0;
  let i = from;
  for (; i < n && i - from < 10; i++) {
    const c = b[i] as number;
    if (c < 48 || c > 57) break;
    seq = seq * 10 + c - 48;
  }
  if (i === from || seq > 0x7fffffff || i >= n || b[i] !== 32) return undefined;
  const start = ++i;
  for (; i < n; i++) {
    const c = b[i] as number;
    if (c >= 128 || TOKEN[c] !== 1) return undefined;
  }
  if (i === start) return undefined;
  return { seq, method: METHOD(s, start, n) ?? s.slice(start, n) };
}

const METHOD = matcher([
  'INVITE',
  'ACK',
  'BYE',
  'CANCEL',
  'OPTIONS',
  'REGISTER',
  'PRACK',
  'UPDATE',
  'INFO',
  'SUBSCRIBE',
  'NOTIFY',
  'REFER',
  'MESSAGE',
  'PUBLISH',
]);

/** Max-Forwards = 1*DIGIT, 0 to 255 (RFC 3261 §20.22). */
export function parseMaxForwards(value: string): number {
  // The usual one to three digits, untrimmed, go straight to a number.
  const n0 = value.length;
  if (n0 > 0 && n0 <= 3) {
    let n = 0;
    let i = 0;
    for (; i < n0; i++) {
      const c = value.charCodeAt(i);
      if (c < 48 || c > 57) break;
      n = n * 10 + c - 48;
    }
    if (i === n0 && n <= 255) return n;
  }
  const v = value.trim();
  if (!isDigits(v))
    throw new SipParseError('SIP_BAD_HEADER', {
      header: 'Max-Forwards',
      detail: `${excerpt(v)} is not a number`,
    });
  const n = v.length > 4 ? Infinity : Number(v);
  if (n > 255)
    throw new SipParseError('SIP_BAD_HEADER', {
      header: 'Max-Forwards',
      detail: `${excerpt(v, 24)} exceeds 255`,
    });
  return n;
}

/** Call-ID = word ["@" word] (RFC 3261 §25.1). */
export function parseCallId(value: string): string {
  if (
    !isCallId(codesOf(value), 0, value.length) &&
    !/^[A-Za-z0-9\-.!%*_+`'~()<>:\\"/[\]?{}]+(@[A-Za-z0-9\-.!%*_+`'~()<>:\\"/[\]?{}]+)?$/.test(value)
  ) {
    throw new SipParseError('SIP_BAD_HEADER', {
      header: 'Call-ID',
      detail: `${excerpt(value)} is not word["@"word]`,
    });
  }
  return value;
}

/** word ["@" word] in s[from, n) over its character codes (the regular expression is the fallback). */
function isCallId(b: Uint8Array, from: number, n: number): boolean {
  let at = -1;
  for (let i = from; i < n; i++) {
    const c = b[i] as number;
    if (c === 64 /* @ */) {
      if (at >= 0 || i === from) return false;
      at = i;
    } else if (c >= 128 || WORD[c] !== 1) return false;
  }
  return n > from && at !== n - 1;
}

const parseFrom = (v: string): NameAddr => parseNameAddr(v, 'From');
const parseTo = (v: string): NameAddr => parseNameAddr(v, 'To');

/** Reads the common shapes of a value from received bytes: s[from, to) is `value`, b holds its codes. */
type ByteReader<T> = (b: Uint8Array, s: string, from: number, to: number, value: string) => T | undefined;

const fastVia: ByteReader<Via[]> = (b, s, from, to) => {
  const v = simpleVia(b, s, from, to);
  return v === undefined ? undefined : [v];
};

const fastCallId: ByteReader<string> = (b, _s, from, to, value) =>
  isCallId(b, from, to) ? value : undefined;

// One parser per list header, made once (the header name is only for error messages).
const NAME_ADDR_LIST: Record<string, (v: string) => NameAddr[]> = {
  route: (v) => parseNameAddrList(v, 'Route'),
  'record-route': (v) => parseNameAddrList(v, 'Record-Route'),
  contact: (v) => parseNameAddrList(v, 'Contact'),
};
