import { isDigits } from './charset';
import { SipParseError, excerpt } from './errors';
import { Headers, type HeaderField, type HeaderSource } from './headers';
import { parseNameAddr, parseNameAddrList, type NameAddr } from './name-addr';
import { Scanner } from './scanner';
import { parseUri, type Uri } from './uri';
import { parseVia, type Via } from './via';

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
  protected parsedFirst<T>(key: string, parse: (v: string) => T): T {
    const f = this.headers.firstByKey(key);
    if (f === undefined)
      throw this.problem(new SipParseError('SIP_MISSING_HEADER', { header: CANONICAL[key] ?? key }));
    return this.parsedField(f, parse);
  }

  protected parsedField<T>(f: HeaderField, parse: (v: string) => T): T {
    if (f.parsed !== undefined) return f.parsed as T;
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
    return this.parsedFirst('call-id', parseCallId);
  }

  get cseq(): CSeq {
    return this.parsedFirst('cseq', parseCSeq);
  }

  get from(): NameAddr {
    return this.parsedFirst('from', parseFromTo('From'));
  }

  get to(): NameAddr {
    return this.parsedFirst('to', parseFromTo('To'));
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
    for (const f of this.headers.list) if (f.key === 'via') out.push(...this.parsedField(f, parseVia));
    return out;
  }

  /** The top Via: only the first Via line is parsed. */
  get topVia(): Via {
    return this.parsedFirst('via', parseVia)[0] as Via;
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
    const header = CANONICAL[key] ?? key;
    for (const f of this.headers.list) {
      if (f.key === key) out.push(...this.parsedField(f, (v) => parseNameAddrList(v, header)));
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
    // Untouched received lines are copied as bytes, in runs of adjacent lines; only edited or added lines
    // are formatted and encoded, which keeps forwarding after a Via/Record-Route/Max-Forwards edit cheap.
    // The output alternates texts[k] and the run runs[2k]..runs[2k+1] (offsets into source.buf), then
    // the last text: plain arrays of one type each, and no Buffer views made just to be copied once.
    const texts: string[] = [];
    const runs: number[] = [];
    const base = source === undefined ? 0 : source.base;
    let text = this.startLine() + '\r\n';
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
        if (runStart >= 0) runs.push(base + runStart, base + runEnd + 2);
        texts.push(text);
        text = '';
        runStart = f.start as number;
        runEnd = f.end as number;
        continue;
      }
      if (runStart >= 0) {
        runs.push(base + runStart, base + runEnd + 2);
        runStart = -1;
      }
      text += f.name + ': ' + (f.key === 'content-length' ? length : f.value) + '\r\n';
    }
    if (runStart >= 0) runs.push(base + runStart, base + runEnd + 2);
    if (!sawLength) text += 'Content-Length: ' + length + '\r\n';
    text += '\r\n';
    texts.push(text);
    let total = body.length;
    for (let k = 0; k < texts.length; k++) total += Buffer.byteLength(texts[k] as string, 'utf8');
    for (let k = 0; k < runs.length; k += 2) total += (runs[k + 1] as number) - (runs[k] as number);
    const out = Buffer.allocUnsafe(total);
    let at = 0;
    for (let k = 0; k < texts.length; k++) {
      const t = texts[k] as string;
      if (t !== '') at += out.write(t, at, 'utf8');
      if (2 * k < runs.length) {
        at += (source as HeaderSource).buf.copy(out, at, runs[2 * k] as number, runs[2 * k + 1] as number);
      }
    }
    body.copy(out, at);
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
    u = parseUri(text);
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

/** Max-Forwards = 1*DIGIT, 0 to 255 (RFC 3261 §20.22). */
export function parseMaxForwards(value: string): number {
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
  if (!/^[A-Za-z0-9\-.!%*_+`'~()<>:\\"/[\]?{}]+(@[A-Za-z0-9\-.!%*_+`'~()<>:\\"/[\]?{}]+)?$/.test(value)) {
    throw new SipParseError('SIP_BAD_HEADER', {
      header: 'Call-ID',
      detail: `${excerpt(value)} is not word["@"word]`,
    });
  }
  return value;
}

function parseFromTo(header: 'From' | 'To'): (v: string) => NameAddr {
  return header === 'From' ? parseFrom : parseTo;
}
const parseFrom = (v: string): NameAddr => parseNameAddr(v, 'From');
const parseTo = (v: string): NameAddr => parseNameAddr(v, 'To');
