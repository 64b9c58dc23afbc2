import { SipParseError, excerpt } from './errors';
import { headerKey } from './header-names';
import { DEFAULT_LIMITS, resolveLimits, type ParseLimits } from './limits';

/**
 * What a stream carries: a whole message, a keep-alive, or the header section of a message larger than
 * `maxMessageBytes` (`length` is the whole message's size), which is the last thing the stream yields: its
 * body is not read, so the stream is failed after it. The header section is enough to answer a request
 * (513, RFC 3261 §21.5.14) or to end the client transaction a response was for, so an over-limit message
 * is never lost silently.
 */
export type Framed =
  | { kind: 'message'; bytes: Buffer }
  | { kind: 'keepalive'; ping: boolean }
  | { kind: 'oversized'; head: Buffer; length: number };

/** The work a framer has done, in octets: what tests count instead of timing it. */
export interface FramerWork {
  /** Octets examined while looking for line ends and the empty line. */
  scanned: number;
  /** Octets copied (into the framer's buffer, within it, and out as messages). */
  copied: number;
}

const MIN_CAPACITY = 4096;

type Phase = { name: 'between' } | { name: 'head' } | { name: 'body'; total: number };

/**
 * Cuts a byte stream (TCP, TLS) into messages by Content-Length (RFC 3261 §18.3, mandatory on streams)
 * and reports RFC 5626 §3.5.1 keep-alives between messages: CRLFCRLF is a ping, a lone CRLF a pong.
 *
 * Linear in the octets received, however they are split into reads: the octets are appended to one
 * buffer that grows by doubling (a compaction moves at most half of it, after at least as many new
 * octets), every octet of a header section is examined once for line ends, and Content-Length is read
 * line by line as lines complete, so a header section arriving a byte per read is never re-parsed.
 *
 * Never holds more than `maxMessageBytes` of one message. Errors are `SipParseError`; after one the
 * stream's framing is lost, so every later `push` throws it again — close the connection. A message whose
 * header section fits but whose Content-Length makes it too large is reported as `oversized` first (and
 * the stream fails after it: reading and dropping a body of any announced size would let a peer make us
 * read without limit).
 *
 * A lone CRLF is reported as a pong at once, so a ping split across two reads reads as two pongs;
 * waiting instead would delay every real pong until the peer sent something else.
 */
export class StreamFramer {
  readonly work: FramerWork = { scanned: 0, copied: 0 };
  private store: Buffer = Buffer.alloc(0);
  /** The octets held are store[start, end). */
  private start = 0;
  private end = 0;
  private phase: Phase = { name: 'between' };
  // Header-section scan state (phase 'head'), all offsets into `store`.
  private headStart = 0;
  private lineStart = 0;
  private scanPos = 0;
  private startLineDone = false;
  /** The Content-Length field being read (it may continue on folded lines), and the one already read. */
  private pendingLength: string | undefined;
  private foundLength: string | undefined;
  private failed: SipParseError | undefined;
  private readonly limits: ParseLimits;

  constructor(limits?: Partial<ParseLimits>) {
    this.limits = limits === undefined ? DEFAULT_LIMITS : resolveLimits(limits);
  }

  /** Octets held that do not yet form a whole message. */
  get buffered(): number {
    return this.end - this.start;
  }

  push(chunk: Buffer): Framed[] {
    if (this.failed) throw this.failed;
    const out: Framed[] = [];
    try {
      this.append(chunk);
      for (;;) {
        const f = this.next();
        if (f === undefined) break;
        out.push(f);
        if (f.kind === 'oversized') {
          this.failed = new SipParseError(
            'SIP_MESSAGE_TOO_LARGE',
            { limit: this.limits.maxMessageBytes },
            false,
          );
          this.store = Buffer.alloc(0);
          this.start = this.end = 0;
          return out;
        }
      }
    } catch (e) {
      if (e instanceof SipParseError) {
        this.failed = e;
        this.store = Buffer.alloc(0);
        this.start = this.end = 0;
      }
      throw e;
    }
    if (this.start === this.end && this.phase.name !== 'head') this.start = this.end = 0;
    return out;
  }

  private append(chunk: Buffer): void {
    if (chunk.length === 0) return;
    if (this.end + chunk.length > this.store.length) {
      const live = this.end - this.start;
      const need = live + chunk.length;
      // Compact in place only when that leaves half the buffer free, else grow: either way the octets
      // moved are paid for by at least as many appended before the next move.
      const target =
        need <= this.store.length / 2 ? this.store : Buffer.allocUnsafe(Math.max(MIN_CAPACITY, 2 * need));
      this.store.copy(target, 0, this.start, this.end);
      this.work.copied += live;
      this.rebase(this.start);
      this.store = target;
      this.start = 0;
      this.end = live;
    }
    chunk.copy(this.store, this.end);
    this.work.copied += chunk.length;
    this.end += chunk.length;
  }

  /** Moves the scan offsets when the held octets move `by` towards the start of the buffer. */
  private rebase(by: number): void {
    this.headStart -= by;
    this.lineStart -= by;
    this.scanPos -= by;
  }

  private next(): Framed | undefined {
    switch (this.phase.name) {
      case 'between':
        return this.between();
      case 'head':
        return this.head();
      case 'body':
        return this.body(this.phase.total);
    }
  }

  private between(): Framed | undefined {
    const b = this.store;
    const n = this.end - this.start;
    if (n === 0) return undefined;
    const s = this.start;
    if (b[s] === 13) {
      if (n < 2) return undefined;
      if (b[s + 1] !== 10)
        throw new SipParseError('SIP_BAD_START_LINE', { detail: 'CR not followed by LF' }, false);
      if (n >= 4 && b[s + 2] === 13 && b[s + 3] === 10) {
        this.start += 4;
        return { kind: 'keepalive', ping: true };
      }
      if (n === 3 && b[s + 2] === 13) return undefined; // maybe the first half of a ping's second CRLF
      this.start += 2;
      return { kind: 'keepalive', ping: false };
    }
    this.phase = { name: 'head' };
    this.headStart = this.lineStart = this.scanPos = s;
    this.startLineDone = false;
    this.pendingLength = this.foundLength = undefined;
    return this.head();
  }

  /** Reads complete header lines from where the last read stopped; each octet is examined once. */
  private head(): Framed | undefined {
    const held = this.store.subarray(0, this.end);
    for (;;) {
      const lf = held.indexOf(10, this.scanPos);
      if (lf < 0) {
        this.work.scanned += this.end - this.scanPos;
        this.scanPos = this.end;
        if (this.end - this.headStart > this.limits.maxMessageBytes) {
          throw new SipParseError('SIP_MESSAGE_TOO_LARGE', { limit: this.limits.maxMessageBytes }, false);
        }
        return undefined;
      }
      this.work.scanned += lf + 1 - this.scanPos;
      this.scanPos = lf + 1;
      // Lines end with CRLF (RFC 3261 §7): a bare LF is part of the line, for the parser to judge.
      if (lf === this.lineStart || held[lf - 1] !== 13) continue;
      const lineEnd = lf - 1;
      const from = this.lineStart;
      this.lineStart = lf + 1;
      if (lineEnd === from) return this.endOfHead(lf + 1);
      if (lf + 1 - this.headStart > this.limits.maxMessageBytes) {
        throw new SipParseError('SIP_MESSAGE_TOO_LARGE', { limit: this.limits.maxMessageBytes }, false);
      }
      this.line(from, lineEnd);
    }
  }

  /** One header line, store[from, to) without its CRLF: only Content-Length is read. */
  private line(from: number, to: number): void {
    if (!this.startLineDone) {
      this.startLineDone = true;
      return;
    }
    const b = this.store;
    const first = b[from];
    if (first === 32 || first === 9) {
      // A folded continuation (RFC 3261 §7.3.1) of the field before it.
      if (this.pendingLength !== undefined) this.pendingLength += ' ' + b.toString('latin1', from, to);
      return;
    }
    this.settleLength();
    const colon = b.subarray(from, to).indexOf(58 /* : */);
    if (colon <= 0) return;
    // Only short names can be Content-Length (or its compact form l): skip decoding any other name.
    if (colon > 32) return;
    if (headerKey(b.toString('latin1', from, from + colon).trim()) !== 'content-length') return;
    this.pendingLength = b.toString('latin1', from + colon + 1, to);
  }

  /** A Content-Length field is complete: it must agree with any earlier one. */
  private settleLength(): void {
    if (this.pendingLength === undefined) return;
    const value = this.pendingLength.trim();
    this.pendingLength = undefined;
    if (this.foundLength !== undefined && this.foundLength !== value) {
      throw new SipParseError(
        'SIP_BAD_CONTENT_LENGTH',
        { value: `${excerpt(this.foundLength, 24)} and ${excerpt(value, 24)}` },
        false,
      );
    }
    this.foundLength = value;
  }

  private endOfHead(bodyStart: number): Framed | undefined {
    this.settleLength();
    const found = this.foundLength;
    if (found === undefined) throw new SipParseError('SIP_MISSING_CONTENT_LENGTH', {}, false);
    if (!/^\d{1,10}$/.test(found))
      throw new SipParseError('SIP_BAD_CONTENT_LENGTH', { value: excerpt(found, 24) }, false);
    const headLength = bodyStart - this.headStart;
    const total = headLength + Number(found);
    if (total > this.limits.maxMessageBytes) {
      const head = this.take(headLength);
      this.phase = { name: 'between' };
      return { kind: 'oversized', head, length: total };
    }
    this.phase = { name: 'body', total };
    return this.body(total);
  }

  private body(total: number): Framed | undefined {
    if (this.end - this.headStart < total) return undefined;
    const bytes = this.take(total);
    this.phase = { name: 'between' };
    return { kind: 'message', bytes };
  }

  /** A copy of the next `n` held octets (the buffer is reused), which are then let go. */
  private take(n: number): Buffer {
    const out = Buffer.allocUnsafe(n);
    this.store.copy(out, 0, this.start, this.start + n);
    this.work.copied += n;
    this.start += n;
    return out;
  }
}
