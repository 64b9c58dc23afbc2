import { SipParseError, excerpt } from './errors';
import { headerKey } from './header-names';
import { DEFAULT_LIMITS, resolveLimits, type ParseLimits } from './limits';

export type Framed = { kind: 'message'; bytes: Buffer } | { kind: 'keepalive'; ping: boolean };

const CRLFCRLF = Buffer.from('\r\n\r\n', 'latin1');

/**
 * Cuts a byte stream (TCP, TLS) into messages by Content-Length (RFC 3261 §18.3, mandatory on streams)
 * and reports RFC 5626 §3.5.1 keep-alives between messages: CRLFCRLF is a ping, a lone CRLF a pong.
 *
 * Never holds more than `maxMessageBytes` of one message. Errors are `SipParseError`; after one the
 * stream's framing is lost, so every later `push` throws it again — close the connection.
 *
 * A lone CRLF is reported as a pong at once, so a ping split across two reads reads as two pongs;
 * waiting instead would delay every real pong until the peer sent something else.
 */
export class StreamFramer {
  private buf: Buffer = Buffer.alloc(0);
  private scanFrom = 0;
  private failed: SipParseError | undefined;
  private readonly limits: ParseLimits;

  constructor(limits?: Partial<ParseLimits>) {
    this.limits = limits === undefined ? DEFAULT_LIMITS : resolveLimits(limits);
  }

  /** Octets held that do not yet form a whole message. */
  get buffered(): number {
    return this.buf.length;
  }

  push(chunk: Buffer): Framed[] {
    if (this.failed) throw this.failed;
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const out: Framed[] = [];
    try {
      for (;;) {
        const f = this.next();
        if (f === undefined) break;
        out.push(f);
      }
    } catch (e) {
      if (e instanceof SipParseError) {
        this.failed = e;
        this.buf = Buffer.alloc(0);
      }
      throw e;
    }
    return out;
  }

  private consume(n: number): Buffer {
    const head = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    this.scanFrom = 0;
    return head;
  }

  private next(): Framed | undefined {
    const b = this.buf;
    if (b.length === 0) return undefined;
    if (b[0] === 13) {
      if (b.length < 2) return undefined;
      if (b[1] !== 10)
        throw new SipParseError('SIP_BAD_START_LINE', { detail: 'CR not followed by LF' }, false);
      if (b.length >= 4 && b[2] === 13 && b[3] === 10) {
        this.consume(4);
        return { kind: 'keepalive', ping: true };
      }
      if (b.length === 3 && b[2] === 13) return undefined; // maybe the first half of a ping's second CRLF
      this.consume(2);
      return { kind: 'keepalive', ping: false };
    }
    const end = b.indexOf(CRLFCRLF, this.scanFrom);
    if (end < 0) {
      if (b.length > this.limits.maxMessageBytes) {
        throw new SipParseError('SIP_MESSAGE_TOO_LARGE', { limit: this.limits.maxMessageBytes }, false);
      }
      this.scanFrom = Math.max(0, b.length - 3);
      return undefined;
    }
    const bodyStart = end + 4;
    const length = contentLength(b.toString('latin1', 0, end));
    const total = bodyStart + length;
    if (total > this.limits.maxMessageBytes) {
      throw new SipParseError('SIP_MESSAGE_TOO_LARGE', { limit: this.limits.maxMessageBytes }, false);
    }
    if (b.length < total) {
      this.scanFrom = end;
      return undefined;
    }
    return { kind: 'message', bytes: Buffer.from(this.consume(total)) };
  }
}

/** The Content-Length of a header section (first line is the start line; folded lines handled). */
function contentLength(head: string): number {
  let found: string | undefined;
  const lines = head.split('\r\n');
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    const colon = line.indexOf(':');
    if (colon <= 0 || line.charCodeAt(0) === 32 || line.charCodeAt(0) === 9) continue;
    if (headerKey(line.slice(0, colon).trim()) !== 'content-length') continue;
    let value = line.slice(colon + 1);
    while (i + 1 < lines.length && /^[ \t]/.test(lines[i + 1] as string)) value += ' ' + lines[++i];
    value = value.trim();
    if (found !== undefined && found !== value) {
      throw new SipParseError(
        'SIP_BAD_CONTENT_LENGTH',
        { value: `${excerpt(found, 24)} and ${excerpt(value, 24)}` },
        false,
      );
    }
    found = value;
  }
  if (found === undefined) throw new SipParseError('SIP_MISSING_CONTENT_LENGTH', {}, false);
  if (!/^\d{1,10}$/.test(found))
    throw new SipParseError('SIP_BAD_CONTENT_LENGTH', { value: excerpt(found, 24) }, false);
  return Number(found);
}
