import { isDigits } from './charset';
import { SipParseError, excerpt } from './errors';
import type { HeaderField } from './headers';
import { isRequest, parseCallId, parseCSeq, parseMaxForwards, type SipMessage } from './message';
import { parseNameAddr, parseNameAddrList } from './name-addr';
import { Scanner } from './scanner';
import { splitList } from './split';
import { parseUriShared } from './uri';
import { parseVia } from './via';

/** Methods of RFC 3261 and its extensions (RFC 3262, 3265, 3311, 3428, 3515, 3903, 6086). */
export const KNOWN_METHODS: ReadonlySet<string> = new Set([
  'INVITE',
  'ACK',
  'BYE',
  'CANCEL',
  'OPTIONS',
  'REGISTER',
  'PRACK',
  'SUBSCRIBE',
  'NOTIFY',
  'UPDATE',
  'MESSAGE',
  'REFER',
  'PUBLISH',
  'INFO',
]);

const DISPLAY: Record<string, string> = {
  'call-id': 'Call-ID',
  cseq: 'CSeq',
  'max-forwards': 'Max-Forwards',
  'content-type': 'Content-Type',
  'content-length': 'Content-Length',
  'record-route': 'Record-Route',
  'proxy-require': 'Proxy-Require',
};

function display(f: HeaderField): string {
  return DISPLAY[f.key] ?? f.key.charAt(0).toUpperCase() + f.key.slice(1);
}

function checkUriOf(header: string, uri: string): void {
  if (uri === '*') return;
  try {
    parseUriShared(uri);
  } catch (e) {
    if (e instanceof SipParseError) {
      throw new SipParseError('SIP_BAD_HEADER', {
        header,
        detail: `${String(e.params.detail)} in ${excerpt(uri)}`,
      });
    }
    throw e;
  }
}

/** media-type = m-type "/" m-subtype *(SEMI m-parameter) (RFC 3261 §20.15). */
function checkMediaType(header: string, value: string): void {
  const sc = new Scanner(value, header);
  sc.ws();
  sc.token('a media type');
  sc.expect(47, '"/"');
  sc.token('a media subtype');
  sc.params();
  sc.endOfElement(false);
}

/** A list of option tags or methods (Require, Proxy-Require, Supported, Unsupported, Allow). */
function checkTokenList(header: string, value: string): void {
  if (value.trim() === '' && (header === 'Supported' || header === 'Allow')) return;
  for (const t of splitList(value)) {
    const sc = new Scanner(t, header);
    sc.token('an option tag');
    sc.endOfElement(false);
  }
}

const DATE =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;

/**
 * Checks every header this layer has a grammar for, plus the Request-URI and the CSeq method, and throws
 * the first problem as a `SipParseError`. Headers it does not know are only checked for stray CR/LF.
 * Missing or repeated mandatory headers are not a syntax error (RFC 4475 §3.3.1, §3.3.8): see
 * `checkRequestSemantics`.
 */
export function checkMessage(m: SipMessage): void {
  try {
    if (isRequest(m)) void m.requestUri;
    for (const f of m.headers.list) checkField(f);
    if (isRequest(m) && m.headers.firstByKey('cseq') !== undefined) {
      const cseq = m.cseq;
      if (cseq.method !== m.method) {
        const params = { cseqMethod: excerpt(cseq.method, 32), method: excerpt(m.method, 32) };
        // RFC 4475 §3.1.2.18: with an unknown method 501 is the better answer (400 is also allowed).
        throw new SipParseError(
          KNOWN_METHODS.has(m.method) ? 'SIP_CSEQ_METHOD_MISMATCH' : 'SIP_UNKNOWN_METHOD_CSEQ_MISMATCH',
          params,
        );
      }
    }
  } catch (e) {
    if (e instanceof SipParseError && !isRequest(m)) throw e.unanswerable();
    throw e;
  }
}

function checkField(f: HeaderField): void {
  if (/[\r\n]/.test(f.value)) {
    throw new SipParseError('SIP_BAD_HEADER', { header: f.name, detail: 'bare CR or LF in the value' });
  }
  const header = display(f);
  switch (f.key) {
    case 'via':
      parseVia(f.value);
      return;
    case 'from':
    case 'to':
    case 'reply-to':
    case 'refer-to':
    case 'referred-by':
      checkUriOf(header, parseNameAddr(f.value, header).uri);
      return;
    case 'contact':
    case 'route':
    case 'record-route':
    case 'path':
    case 'service-route':
    case 'p-asserted-identity':
    case 'p-preferred-identity':
      for (const na of parseNameAddrList(f.value, header)) checkUriOf(header, na.uri);
      return;
    case 'call-id':
      parseCallId(f.value);
      return;
    case 'cseq':
      parseCSeq(f.value);
      return;
    case 'max-forwards':
      parseMaxForwards(f.value);
      return;
    case 'content-type':
      checkMediaType(header, f.value);
      return;
    case 'require':
    case 'proxy-require':
    case 'supported':
    case 'unsupported':
    case 'allow':
      checkTokenList(header, f.value);
      return;
    case 'expires':
    case 'min-expires': {
      // delta-seconds = 1*DIGIT; RFC 4475 §3.1.2.4 lets an element read an overlarge one as the default,
      // so only the digits are checked.
      if (!isDigits(f.value.trim())) {
        throw new SipParseError('SIP_BAD_HEADER', {
          header,
          detail: `${excerpt(f.value, 24)} is not delta-seconds`,
        });
      }
      return;
    }
    case 'date':
      // SIP-date = rfc1123-date, always in GMT (RFC 3261 §20.17, RFC 4475 §3.1.2.12).
      if (!DATE.test(f.value)) {
        throw new SipParseError('SIP_BAD_HEADER', {
          header,
          detail: `${excerpt(f.value)} is not an RFC 1123 date in GMT`,
        });
      }
      return;
    default:
      return;
  }
}
