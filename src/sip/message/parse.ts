import { isAscii, isUtf8 } from 'node:buffer';
import { SCHEME as SCHEME_TABLE, TOKEN as TOKEN_TABLE } from './charset';
import { SipParseError, excerpt } from './errors';
import { headerKey as headerKeyImported, knownName as knownNameImported } from './header-names';
import { Headers, makeField, type HeaderField } from './headers';
import { DEFAULT_LIMITS, resolveLimits, type ParseLimits } from './limits';
import { SipRequest, SipResponse, type SipMessage } from './message';
import { checkMessage } from './validate';

// Local aliases: a hot loop reading an imported binding pays for a module-namespace lookup.
const TOKEN = TOKEN_TABLE;
const SCHEME = SCHEME_TABLE;
const headerKey = headerKeyImported;
const knownName = knownNameImported;

export interface ParseOptions {
  /**
   * Datagram rules (the default): the buffer is one message, octets after Content-Length are ignored and
   * a missing Content-Length means the body runs to the end (RFC 3261 §18.3). `false` gives stream rules:
   * Content-Length is required (use `StreamFramer` to cut a stream into messages first).
   */
  readonly datagram?: boolean;
  readonly limits?: Partial<ParseLimits>;
  /**
   * Also check every header the layer has a grammar for (Via, From, To, Call-ID, CSeq, Max-Forwards,
   * Route, Record-Route, Contact, Content-Type, ...) and the Request-URI, as `checkMessage` does.
   * Without it those are parsed lazily, on first access.
   */
  readonly strict?: boolean;
}

const CRLFCRLF = Buffer.from('\r\n\r\n', 'latin1');
const REQUEST_URI_SHAPE = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>"]+$/;
const SIP_VERSION = /^SIP\/(\d+)\.(\d+)$/i;

/**
 * Parses one SIP message. Only the framing, the start line, the header lines and Content-Length are
 * examined here; header values stay raw strings until an accessor asks for them. Throws only
 * `SipParseError`.
 */
export function parseMessage(buf: Buffer, opts?: ParseOptions): SipMessage {
  const limits = opts?.limits === undefined ? DEFAULT_LIMITS : resolveLimits(opts.limits);
  try {
    const msg = parse(buf, opts?.datagram ?? true, limits);
    if (opts?.strict === true) checkMessage(msg);
    return msg;
  } catch (e) {
    // A malformed response is dropped, never answered (RFC 3261 §18.1.2). Worked out only on this error
    // path, so that the success path allocates no callback to report it.
    if (
      e instanceof SipParseError &&
      buf.length <= limits.maxMessageBytes &&
      startsResponse(buf, firstLine(buf))
    )
      throw e.unanswerable();
    throw e;
  }
}

/** RFC 3261 §7.5: CRLFs before the start line are ignored (keep-alives, stray line ends). */
function firstLine(buf: Buffer): number {
  const len = buf.length;
  let start = 0;
  while (start + 1 < len && buf[start] === 13 && buf[start + 1] === 10) start += 2;
  return start;
}

/** A start line beginning `SIP/` (any case) is a status line. */
function startsResponse(buf: Buffer, start: number): boolean {
  return (
    buf.length - start > 4 &&
    (buf[start] === 83 || buf[start] === 115) &&
    (buf[start + 1] === 73 || buf[start + 1] === 105) &&
    (buf[start + 2] === 80 || buf[start + 2] === 112) &&
    buf[start + 3] === 47
  );
}

function parse(buf: Buffer, datagram: boolean, limits: ParseLimits): SipMessage {
  const len = buf.length;
  if (len > limits.maxMessageBytes) {
    throw new SipParseError('SIP_MESSAGE_TOO_LARGE', { limit: limits.maxMessageBytes }, false);
  }
  const start = firstLine(buf);
  if (start >= len || (start + 1 === len && buf[start] === 13)) {
    throw new SipParseError('SIP_EMPTY_MESSAGE', {}, false);
  }
  const response = startsResponse(buf, start);

  // Most messages are all ASCII: one latin1 decode of the whole datagram then serves both the search for
  // the empty line and the header text, and character offsets in it are byte offsets in `buf` (which is
  // what lets the serializer copy untouched lines as bytes). Otherwise the header section is checked to
  // be UTF-8 and decoded on its own. Either way the header section is s[from, to).
  let headEnd: number;
  const ascii = isAscii(buf);
  const whole = ascii ? buf.toString('latin1') : '';
  headEnd = ascii ? whole.indexOf('\r\n\r\n', start) : buf.indexOf(CRLFCRLF, start);
  if (headEnd < 0) {
    // A message with no body may end right after its last header line's CRLF on a datagram.
    if (!datagram || buf[len - 2] !== 13 || buf[len - 1] !== 10) {
      throw new SipParseError('SIP_HEADERS_INCOMPLETE', {}, !response);
    }
    headEnd = len - 2;
  }
  const bodyStart = Math.min(headEnd + 4, len);
  let s: string;
  let from: number;
  let to: number;
  // The header loop reads characters from `codes` (s's character codes, above 255 clamped to 255, which
  // only ever compares unequal to the ASCII it looks for): a typed-array load costs a fraction of
  // charCodeAt. For ASCII that is the received buffer itself.
  let codes: Uint8Array;
  if (ascii) {
    s = whole;
    from = start;
    to = headEnd;
    codes = buf;
  } else {
    const slice = buf.subarray(start, headEnd);
    if (isAscii(slice)) s = buf.toString('latin1', start, headEnd);
    else if (isUtf8(slice)) s = buf.toString('utf8', start, headEnd);
    else throw new SipParseError('SIP_BAD_ENCODING', {}, !response);
    from = 0;
    to = s.length;
    codes = Buffer.allocUnsafe(to);
    for (let i = 0; i < to; i++) {
      const c = s.charCodeAt(i);
      codes[i] = c > 255 ? 255 : c;
    }
  }
  const maxLine = limits.maxLineLength;
  const maxHeaders = limits.maxHeaders;

  // Start line.
  let eol = s.indexOf('\r\n', from);
  if (eol < 0 || eol > to) eol = to;
  if (eol - from > maxLine) throw new SipParseError('SIP_LINE_TOO_LONG', { limit: maxLine });
  const line = s.slice(from, eol);

  // Header lines. The common line (token name, optional white space, colon) is read in one pass over its
  // characters; anything else goes to badLine, which applies the checks in their documented order.
  const list: HeaderField[] = [];
  let contentLength: string | undefined;
  let pos = eol + 2;
  let count = 0;
  while (pos < to) {
    let i = pos;
    while (i < to) {
      const c = codes[i] as number;
      if (c >= 128 || TOKEN[c] !== 1) break;
      i++;
    }
    const nameEnd = i;
    while (i < to && (codes[i] === 32 || codes[i] === 9)) i++;
    if (nameEnd === pos || i >= to || codes[i] !== 58 /* : */) badLine(s, pos, to, limits, count);
    let next = s.indexOf('\r\n', i + 1);
    if (next < 0 || next > to) next = to;
    if (next - pos > maxLine) throw new SipParseError('SIP_LINE_TOO_LONG', { limit: maxLine });
    let vs = i + 1;
    let ve = next;
    while (vs < ve && (codes[vs] === 32 || codes[vs] === 9)) vs++;
    while (ve > vs && (codes[ve - 1] === 32 || codes[ve - 1] === 9)) ve--;
    let value = s.slice(vs, ve);
    let folded = false;
    // Folded lines (LWS continuation, RFC 3261 §7.3.1): each CRLF + white space becomes one SP.
    while (next < to) {
      const c = codes[next + 2];
      if (c !== 32 && c !== 9) break;
      let end = s.indexOf('\r\n', next + 2);
      if (end < 0 || end > to) end = to;
      if (end - next - 2 > maxLine) throw new SipParseError('SIP_LINE_TOO_LONG', { limit: maxLine });
      const more = trimmed(s, codes, next + 2, end);
      if (more !== '') value = value === '' ? more : value + ' ' + more;
      next = end;
      folded = true;
    }
    const known = knownName(codes, pos, nameEnd);
    const name = known === undefined ? s.slice(pos, nameEnd) : known.name;
    const key = known === undefined ? headerKey(name) : known.key;
    // The first Content-Length is not counted: serializing always writes exactly one (adding it when the
    // datagram had none), so what is accepted here parses again once forwarded.
    if ((key !== 'content-length' || contentLength !== undefined) && ++count > maxHeaders)
      throw new SipParseError('SIP_TOO_MANY_HEADERS', { limit: maxHeaders });
    if (key === 'content-length') {
      if (contentLength !== undefined && contentLength !== value) {
        throw new SipParseError('SIP_BAD_CONTENT_LENGTH', {
          value: `${excerpt(contentLength, 24)} and ${excerpt(value, 24)} (conflicting values)`,
        });
      }
      contentLength = value;
    }
    // Value offsets are kept only where they index `whole` (ASCII) and the value is one line of it.
    list.push(
      ascii && !folded
        ? makeField(name, key, value, pos, next, vs, ve)
        : makeField(name, key, value, pos, next, undefined, undefined),
    );
    pos = next + 2;
  }

  // Body (RFC 3261 §18.3).
  const available = len - bodyStart;
  let body: Buffer;
  if (contentLength === undefined) {
    if (!datagram) throw new SipParseError('SIP_MISSING_CONTENT_LENGTH');
    body = buf.subarray(bodyStart);
  } else {
    if (!isAllDigits(contentLength) || contentLength.length > 10) {
      throw new SipParseError('SIP_BAD_CONTENT_LENGTH', { value: excerpt(contentLength, 32) });
    }
    const n = Number(contentLength);
    if (n > available)
      throw new SipParseError('SIP_CONTENT_LENGTH_MISMATCH', { contentLength: n, available });
    // No body: one shared empty buffer, not a view that holds the whole datagram's memory for as long as
    // the message lives (a BYE's 200 is kept for retransmissions through Timer J, 32 s).
    body =
      n === 0
        ? EMPTY_BODY
        : n === available
          ? buf.subarray(bodyStart)
          : buf.subarray(bodyStart, bodyStart + n);
  }

  const headers = new Headers();
  headers.list = list;
  // Field offsets count from the start of `buf` (the ASCII case reads `whole`, which starts there).
  if (ascii) headers.source = { buf, base: 0, text: whole };
  return response ? statusLine(line, headers, body) : requestLine(line, headers, body);
}

/** The error for a header line the fast path could not read, checked in the order the grammar gives. */
function badLine(s: string, pos: number, to: number, limits: ParseLimits, count: number): never {
  let next = s.indexOf('\r\n', pos);
  if (next < 0 || next > to) next = to;
  if (next - pos > limits.maxLineLength)
    throw new SipParseError('SIP_LINE_TOO_LONG', { limit: limits.maxLineLength });
  const lineText = excerpt(s.slice(pos, next));
  const first = s.charCodeAt(pos);
  if (first === 32 || first === 9) {
    throw new SipParseError('SIP_BAD_HEADER_LINE', {
      line: lineText,
      detail: 'a continuation line with no header before it',
    });
  }
  if (count + 1 > limits.maxHeaders)
    throw new SipParseError('SIP_TOO_MANY_HEADERS', { limit: limits.maxHeaders });
  const colon = s.indexOf(':', pos);
  if (colon < 0 || colon > next) {
    throw new SipParseError('SIP_BAD_HEADER_LINE', { line: lineText, detail: 'no colon' });
  }
  let nameEnd = colon;
  while (nameEnd > pos && (s.charCodeAt(nameEnd - 1) === 32 || s.charCodeAt(nameEnd - 1) === 9)) nameEnd--;
  if (nameEnd > pos) {
    throw new SipParseError('SIP_BAD_HEADER_LINE', {
      line: lineText,
      detail: 'the header name is not a token',
    });
  }
  throw new SipParseError('SIP_BAD_HEADER_LINE', { line: lineText, detail: 'empty header name' });
}

function trimmed(s: string, codes: Uint8Array, from: number, to: number): string {
  while (from < to && (codes[from] === 32 || codes[from] === 9)) from++;
  while (to > from && (codes[to - 1] === 32 || codes[to - 1] === 9)) to--;
  return s.slice(from, to);
}

function isAllDigits(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/**
 * REQUEST_URI_SHAPE checked a character at a time for ASCII URIs; false sends the URI to the regular
 * expression (which then decides), so this only has to be right when it says true.
 */
function requestUriShape(uri: string): boolean {
  const n = uri.length;
  const c0 = uri.charCodeAt(0) | 32;
  if (n < 3 || c0 < 97 || c0 > 122) return false;
  let i = 1;
  for (; i < n; i++) {
    const c = uri.charCodeAt(i);
    if (c === 58 /* : */) break;
    if (c >= 128 || SCHEME[c] !== 1) return false;
  }
  if (i >= n - 1) return false;
  for (i++; i < n; i++) {
    const c = uri.charCodeAt(i);
    // Not \s, <, > or ": anything else printable ASCII (and the controls \s does not cover).
    if (c >= 127 || (c >= 9 && c <= 13) || c === 32 || c === 60 || c === 62 || c === 34) return false;
  }
  return true;
}

function checkVersion(version: string, line: string, answerable: boolean): void {
  if (version === 'SIP/2.0') return;
  const m = SIP_VERSION.exec(version);
  if (m === null) {
    throw new SipParseError(
      'SIP_BAD_START_LINE',
      { detail: `no SIP version in ${excerpt(line)}` },
      answerable,
    );
  }
  if (Number(m[1]) !== 2 || Number(m[2]) !== 0) {
    throw new SipParseError('SIP_BAD_VERSION', { version: excerpt(version, 20) }, answerable);
  }
}

// Request-Line = Method SP Request-URI SP SIP-Version CRLF: exactly one SP between the elements (RFC 4475
// §3.1.2.9); trailing white space after the version is tolerated (§3.1.2.10 lets an element accept it).
const EMPTY_BODY = Buffer.alloc(0);

function requestLine(line: string, headers: Headers, body: Buffer): SipRequest {
  const sp1 = line.indexOf(' ');
  const sp2 = sp1 < 0 ? -1 : line.indexOf(' ', sp1 + 1);
  if (sp1 <= 0 || sp2 < 0) {
    throw new SipParseError('SIP_BAD_START_LINE', {
      detail: `not "Method SP Request-URI SP SIP-Version": ${excerpt(line)}`,
    });
  }
  const method = line.slice(0, sp1);
  for (let i = 0; i < method.length; i++) {
    const c = method.charCodeAt(i);
    if (c >= 128 || TOKEN[c] !== 1)
      throw new SipParseError('SIP_BAD_METHOD', { method: excerpt(method, 32) });
  }
  const uri = line.slice(sp1 + 1, sp2);
  let versionEnd = line.length;
  while (
    versionEnd > sp2 + 1 &&
    (line.charCodeAt(versionEnd - 1) === 32 || line.charCodeAt(versionEnd - 1) === 9)
  ) {
    versionEnd--;
  }
  const version = line.slice(sp2 + 1, versionEnd);
  if (uri === '' || version.indexOf(' ') >= 0 || version.indexOf('\t') >= 0) {
    throw new SipParseError('SIP_BAD_START_LINE', {
      detail: `white space inside the Request-URI or around it: ${excerpt(line)}`,
    });
  }
  checkVersion(version, line, true);
  if (!requestUriShape(uri) && !REQUEST_URI_SHAPE.test(uri)) {
    throw new SipParseError('SIP_BAD_REQUEST_URI', { uri: excerpt(uri), detail: 'not an absolute URI' });
  }
  return new SipRequest(method, uri, headers, body);
}

// Status-Line = SIP-Version SP Status-Code SP Reason-Phrase CRLF (RFC 3261 §7.2).
function statusLine(line: string, headers: Headers, body: Buffer): SipResponse {
  const sp1 = line.indexOf(' ');
  if (sp1 < 0)
    throw new SipParseError('SIP_BAD_START_LINE', { detail: `no status code in ${excerpt(line)}` }, false);
  checkVersion(line.slice(0, sp1), line, false);
  let sp2 = line.indexOf(' ', sp1 + 1);
  if (sp2 < 0) sp2 = line.length;
  const code = line.slice(sp1 + 1, sp2);
  const status = code.length === 3 && isAllDigits(code) ? Number(code) : NaN;
  if (!(status >= 100 && status <= 699))
    throw new SipParseError('SIP_BAD_STATUS', { status: excerpt(code, 24) }, false);
  const reason = sp2 < line.length ? line.slice(sp2 + 1) : '';
  if (/[\x00-\x08\x0a-\x1f\x7f]/.test(reason)) {
    throw new SipParseError(
      'SIP_BAD_START_LINE',
      { detail: 'control character in the reason phrase' },
      false,
    );
  }
  return new SipResponse(status, reason, headers, body);
}
