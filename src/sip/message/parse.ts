import { isAscii, isUtf8 } from 'node:buffer';
import { TOKEN as TOKEN_TABLE } from './charset';
import { SipParseError, excerpt } from './errors';
import { headerKey as headerKeyImported } from './header-names';
import { Headers, type HeaderField } from './headers';
import { DEFAULT_LIMITS, resolveLimits, type ParseLimits } from './limits';
import { SipRequest, SipResponse, type SipMessage } from './message';
import { checkMessage } from './validate';

// Local aliases: a hot loop reading an imported binding pays for a module-namespace lookup.
const TOKEN = TOKEN_TABLE;
const headerKey = headerKeyImported;

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
  let response = false;
  try {
    const msg = parse(buf, opts?.datagram ?? true, limits, (r) => (response = r));
    if (opts?.strict === true) checkMessage(msg);
    return msg;
  } catch (e) {
    // A malformed response is dropped, never answered (RFC 3261 §18.1.2).
    if (e instanceof SipParseError && response) throw e.unanswerable();
    throw e;
  }
}

function parse(
  buf: Buffer,
  datagram: boolean,
  limits: ParseLimits,
  kind: (response: boolean) => void,
): SipMessage {
  const len = buf.length;
  if (len > limits.maxMessageBytes) {
    throw new SipParseError('SIP_MESSAGE_TOO_LARGE', { limit: limits.maxMessageBytes }, false);
  }
  // RFC 3261 §7.5: CRLFs before the start line are ignored (keep-alives, stray line ends).
  let start = 0;
  while (start + 1 < len && buf[start] === 13 && buf[start + 1] === 10) start += 2;
  if (start >= len || (start + 1 === len && buf[start] === 13)) {
    throw new SipParseError('SIP_EMPTY_MESSAGE', {}, false);
  }
  const startsResponse =
    len - start > 4 &&
    (buf[start] === 83 || buf[start] === 115) &&
    (buf[start + 1] === 73 || buf[start + 1] === 105) &&
    (buf[start + 2] === 80 || buf[start + 2] === 112) &&
    buf[start + 3] === 47;
  kind(startsResponse);

  // Most messages are all ASCII: one latin1 decode of the whole datagram then serves both the search for
  // the empty line and the header text. Otherwise the header section is checked to be UTF-8 and decoded.
  let head: string;
  let headEnd: number;
  const ascii = isAscii(buf);
  const whole = ascii ? buf.toString('latin1') : '';
  headEnd = ascii ? whole.indexOf('\r\n\r\n', start) : buf.indexOf(CRLFCRLF, start);
  if (headEnd < 0) {
    // A message with no body may end right after its last header line's CRLF on a datagram.
    if (!datagram || buf[len - 2] !== 13 || buf[len - 1] !== 10) {
      throw new SipParseError('SIP_HEADERS_INCOMPLETE', {}, !startsResponse);
    }
    headEnd = len - 2;
  }
  const bodyStart = Math.min(headEnd + 4, len);
  if (ascii) head = start === 0 && headEnd === len ? whole : whole.slice(start, headEnd);
  else {
    const slice = buf.subarray(start, headEnd);
    if (isAscii(slice)) head = buf.toString('latin1', start, headEnd);
    else if (isUtf8(slice)) head = buf.toString('utf8', start, headEnd);
    else throw new SipParseError('SIP_BAD_ENCODING', {}, !startsResponse);
  }

  // Start line.
  let eol = head.indexOf('\r\n');
  if (eol < 0) eol = head.length;
  if (eol > limits.maxLineLength)
    throw new SipParseError('SIP_LINE_TOO_LONG', { limit: limits.maxLineLength });
  const line = head.slice(0, eol);

  // Header lines.
  const list: HeaderField[] = [];
  let contentLength: string | undefined;
  let pos = eol + 2;
  let count = 0;
  while (pos < head.length) {
    let next = head.indexOf('\r\n', pos);
    if (next < 0) next = head.length;
    if (next - pos > limits.maxLineLength)
      throw new SipParseError('SIP_LINE_TOO_LONG', { limit: limits.maxLineLength });
    const first = head.charCodeAt(pos);
    if (first === 32 || first === 9) {
      throw new SipParseError('SIP_BAD_HEADER_LINE', {
        line: excerpt(head.slice(pos, next)),
        detail: 'a continuation line with no header before it',
      });
    }
    if (++count > limits.maxHeaders)
      throw new SipParseError('SIP_TOO_MANY_HEADERS', { limit: limits.maxHeaders });
    const colon = head.indexOf(':', pos);
    if (colon < 0 || colon > next) {
      throw new SipParseError('SIP_BAD_HEADER_LINE', {
        line: excerpt(head.slice(pos, next)),
        detail: 'no colon',
      });
    }
    // HCOLON = *( SP / HTAB ) ":" SWS
    let nameEnd = colon;
    while (nameEnd > pos && (head.charCodeAt(nameEnd - 1) === 32 || head.charCodeAt(nameEnd - 1) === 9))
      nameEnd--;
    for (let i = pos; i < nameEnd; i++) {
      const c = head.charCodeAt(i);
      if (c >= 128 || TOKEN[c] !== 1) {
        throw new SipParseError('SIP_BAD_HEADER_LINE', {
          line: excerpt(head.slice(pos, next)),
          detail: 'the header name is not a token',
        });
      }
    }
    if (nameEnd === pos) {
      throw new SipParseError('SIP_BAD_HEADER_LINE', {
        line: excerpt(head.slice(pos, next)),
        detail: 'empty header name',
      });
    }
    let value = trimmed(head, colon + 1, next);
    // Folded lines (LWS continuation, RFC 3261 §7.3.1): each CRLF + white space becomes one SP.
    while (next < head.length) {
      const c = head.charCodeAt(next + 2);
      if (c !== 32 && c !== 9) break;
      const after = head.indexOf('\r\n', next + 2);
      const end = after < 0 ? head.length : after;
      if (end - next - 2 > limits.maxLineLength) {
        throw new SipParseError('SIP_LINE_TOO_LONG', { limit: limits.maxLineLength });
      }
      const more = trimmed(head, next + 2, end);
      if (more !== '') value = value === '' ? more : value + ' ' + more;
      next = end;
    }
    const name = head.slice(pos, nameEnd);
    const key = headerKey(name);
    if (key === 'content-length') {
      if (contentLength !== undefined && contentLength !== value) {
        throw new SipParseError('SIP_BAD_CONTENT_LENGTH', {
          value: `${excerpt(contentLength, 24)} and ${excerpt(value, 24)} (conflicting values)`,
        });
      }
      contentLength = value;
    }
    list.push({ name, key, value, start: pos, end: next });
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
    body = n === available ? buf.subarray(bodyStart) : buf.subarray(bodyStart, bodyStart + n);
  }

  const headers = new Headers();
  headers.list = list;
  if (ascii) headers.source = { buf, base: start };
  return startsResponse ? statusLine(line, headers, body) : requestLine(line, headers, body);
}

function trimmed(s: string, from: number, to: number): string {
  while (from < to && (s.charCodeAt(from) === 32 || s.charCodeAt(from) === 9)) from++;
  while (to > from && (s.charCodeAt(to - 1) === 32 || s.charCodeAt(to - 1) === 9)) to--;
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
  if (!REQUEST_URI_SHAPE.test(uri)) {
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
