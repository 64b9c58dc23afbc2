/**
 * RFC 3261 §25.1 character classes as lookup tables, so the hot loops test one array slot per character
 * instead of running regular expressions.
 */
function table(chars: string, alnum = true): Uint8Array {
  const t = new Uint8Array(128);
  if (alnum) {
    for (let c = 48; c <= 57; c++) t[c] = 1;
    for (let c = 65; c <= 90; c++) t[c] = 1;
    for (let c = 97; c <= 122; c++) t[c] = 1;
  }
  for (const ch of chars) t[ch.charCodeAt(0)] = 1;
  return t;
}

/** token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~") */
export const TOKEN = table("-.!%*_+`'~");
/** word (Call-ID) = token chars plus ( ) < > : \ DQUOTE / [ ] ? { } */
export const WORD = table('-.!%*_+`\'~()<>:\\"/[]?{}');
/** unreserved = alphanum / mark */
const MARK = "-_.!~*'()";
/** user = 1*(unreserved / escaped / user-unreserved); user-unreserved = & = + $ , ; ? / */
export const USER = table(MARK + '&=+$,;?/');
/** password = *(unreserved / escaped / & = + $ ,) */
export const PASSWORD = table(MARK + '&=+$,');
/** paramchar = param-unreserved / unreserved / escaped; param-unreserved = [ ] / : & + $ */
export const PARAMCHAR = table(MARK + '[]/:&+$');
/** hname / hvalue characters: hnv-unreserved / unreserved / escaped; hnv-unreserved = [ ] / ? : + $ */
export const HNV = table(MARK + '[]/?:+$');
/** hostname characters (labels and dots); IPv4 is a subset. */
export const HOSTNAME = table('-.');
/** uric = reserved / unreserved / escaped (RFC 2396), for URIs of schemes we do not interpret. */
export const URIC = table(MARK + ';/?:@&=+$,');
/** scheme = ALPHA *(ALPHA / DIGIT / "+" / "-" / ".") (first character checked separately). */
export const SCHEME = table('+-.');
/** Generic parameter values: token, host (IPv6 reference included) — quoted strings are handled apart. */
export const GEN_VALUE = table("-.!%*_+`'~[]:");

export function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || TOKEN[c] !== 1) return false;
  }
  return true;
}

export function allIn(s: string, t: Uint8Array, from = 0, to = s.length): boolean {
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || t[c] !== 1) return false;
  }
  return true;
}

export function isDigits(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/**
 * True when every character of s[from, to) is in `t` or part of a valid %HH escape (RFC 3261 `escaped`).
 */
export function allInEscaped(s: string, t: Uint8Array, from = 0, to = s.length): boolean {
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c === 37) {
      if (i + 2 >= to || !isHex(s.charCodeAt(i + 1)) || !isHex(s.charCodeAt(i + 2))) return false;
      i += 2;
    } else if (c >= 128 || t[c] !== 1) return false;
  }
  return true;
}

let scratch = new Uint8Array(256);

/**
 * The character codes of `v` (above 255 clamped to 255, which only ever compares unequal to the ASCII
 * the readers look for) in a shared scratch array, so that the one-pass readers, written over bytes for
 * the received-message path (a typed-array load costs a fraction of charCodeAt), also serve strings.
 * Valid until the next call.
 */
export function codesOf(v: string): Uint8Array {
  const n = v.length;
  if (n > scratch.length) scratch = new Uint8Array(Math.max(n, 2 * scratch.length));
  const b = scratch;
  for (let i = 0; i < n; i++) {
    const c = v.charCodeAt(i);
    b[i] = c > 255 ? 255 : c;
  }
  return b;
}
