import { TOKEN as TOKEN_TABLE } from './charset';
import { emptyParams, formatParams, type Params } from './params';
import { quote, Scanner, unquote } from './scanner';

// Local aliases: a hot loop reading an imported binding pays for a module-namespace lookup.
const TOKEN = TOKEN_TABLE;

/**
 * A name-addr or addr-spec with its header parameters (RFC 3261 §20.10, §20.20, §20.39): From, To,
 * Contact, Route, Record-Route, Reply-To, P-Asserted-Identity, ... `uri` is the URI text (call `parseUri`
 * when its parts are needed: the fast path only wants the tag). `displayName` is unquoted, or null.
 * A Contact of `*` has `uri === '*'`.
 */
export interface NameAddr {
  displayName: string | null;
  uri: string;
  params: Params;
}

/** Parses a single name-addr / addr-spec with parameters (From, To, ...). */
export function parseNameAddr(value: string, header = 'name-addr'): NameAddr {
  const sc = new Scanner(value, header);
  sc.ws();
  const na = nameAddr(sc);
  sc.endOfElement(false);
  return na;
}

/** Parses a comma-separated list of name-addrs (Contact, Route, Record-Route, ...). */
export function parseNameAddrList(value: string, header = 'name-addr'): NameAddr[] {
  const sc = new Scanner(value, header);
  sc.ws();
  const out: NameAddr[] = [];
  for (;;) {
    out.push(nameAddr(sc));
    if (sc.endOfElement(true)) return out;
  }
}

function nameAddr(sc: Scanner): NameAddr {
  const s = sc.s;
  if (sc.done) throw sc.fail('empty value');
  let displayName: string | null = null;
  const c = sc.peek();
  if (c === 34 /* " */) {
    displayName = unquote(sc.quoted());
    sc.ws();
    if (sc.peek() !== 60) throw sc.fail('expected "<" after the display name');
  } else if (c !== 60 /* < */) {
    // Either *(token LWS) "<" (a display name of tokens), or an addr-spec. RFC 4475 §3.1.1.6: accept a
    // token display name with no white space before "<".
    const start = sc.pos;
    let i = sc.pos;
    while (i < s.length) {
      const ch = s.charCodeAt(i);
      if (ch === 32 || ch === 9 || (ch < 128 && TOKEN[ch] === 1)) i++;
      else break;
    }
    if (s.charCodeAt(i) === 60) {
      const text = s.slice(start, i).trim();
      displayName = text === '' ? null : text.replace(/[ \t]+/g, ' ');
      sc.pos = i;
    } else {
      return addrSpec(sc);
    }
  }
  // LAQUOT addr-spec RAQUOT: no white space inside the brackets (RFC 4475 §3.1.2.14).
  sc.pos++;
  const close = s.indexOf('>', sc.pos);
  if (close < 0) throw sc.fail('unterminated "<"');
  const uri = s.slice(sc.pos, close);
  if (uri === '' || /[\s<"]/.test(uri)) throw sc.fail('white space or a bad character inside <...>');
  sc.pos = close + 1;
  return { displayName, uri, params: sc.params(emptyParams()) };
}

function addrSpec(sc: Scanner): NameAddr {
  const s = sc.s;
  const start = sc.pos;
  if (s.charCodeAt(start) === 42 /* * */) {
    sc.pos++;
    return { displayName: null, uri: '*', params: sc.params(emptyParams()) };
  }
  // Without <...>, the URI ends at the first ";" "," or white space: the parameters that follow belong to
  // the header (RFC 3261 §20.10), and a URI with "?", ";" or "," must be bracketed.
  let i = start;
  while (i < s.length) {
    const ch = s.charCodeAt(i);
    if (ch === 59 || ch === 44 || ch === 32 || ch === 9) break;
    if (ch === 63 /* ? */) throw sc.fail('a URI with headers must be enclosed in <...>');
    if (ch === 60 || ch === 62 || ch === 34) throw sc.fail('unexpected "<", ">" or quote in an addr-spec');
    i++;
  }
  if (i === start || s.indexOf(':', start) < 0 || s.indexOf(':', start) >= i) {
    throw sc.fail('expected a URI');
  }
  sc.pos = i;
  return { displayName: null, uri: s.slice(start, i), params: sc.params(emptyParams()) };
}

export function formatNameAddr(n: NameAddr): string {
  const params = formatParams(n.params);
  if (n.uri === '*') return `*${params}`;
  const name = n.displayName === null ? '' : `${quote(n.displayName)} `;
  return `${name}<${n.uri}>${params}`;
}
