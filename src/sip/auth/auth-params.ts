import { errorFactory } from '../../errors/catalogue';
import { AUTH_ERRORS } from '../../errors/auth';

const err = errorFactory(AUTH_ERRORS);

/**
 * One challenge or credentials element of a WWW-Authenticate / Authorization (or Proxy-) header value:
 * the scheme and its auth-params (names lower-cased, values unquoted), or a token68 for schemes that use one.
 */
export interface AuthElement {
  readonly scheme: string;
  readonly params: ReadonlyMap<string, string>;
  readonly token68?: string;
}

// RFC 7230 tchar; RFC 3261 token adds nothing the auth grammar needs.
const TCHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
const TOKEN68 = /[A-Za-z0-9\-._~+/]+=*/y;
const WS = new Set([' ', '\t', '\r', '\n']);

/**
 * Parses a header value holding one or more authentication elements (RFC 7235 §2.1 / RFC 3261 §25.1):
 * `Digest realm="a", nonce="b", Basic xyz=, Digest ...`. Several header fields may be joined with ", " first:
 * the grammar keeps them apart because every element starts with a scheme not followed by "=".
 * Throws AUTH_MALFORMED_HEADER / AUTH_DUPLICATE_PARAM naming the offset and what is wrong.
 */
export function parseAuthElements(value: string): AuthElement[] {
  const p = new Cursor(value);
  const out: AuthElement[] = [];
  let current: { scheme: string; params: Map<string, string>; token68?: string } | null = null;
  for (;;) {
    p.skipSeparators();
    if (p.done()) break;
    const start = p.pos;
    const name = p.token('a scheme or parameter name');
    const afterName = p.pos;
    p.skipWs();
    if (p.peek() === '=' && current !== null && current.token68 === undefined) {
      p.pos++;
      p.skipWs();
      const key = name.toLowerCase();
      if (current.params.has(key)) throw err('AUTH_DUPLICATE_PARAM', { param: key });
      if (p.peek() === '"') {
        current.params.set(key, p.quotedString());
      } else {
        current.params.set(key, p.token(`a value for ${key}`));
      }
      p.expectEndOfItem();
      continue;
    }
    if (afterName === p.pos && !p.done() && p.peek() !== ',') {
      throw err('AUTH_MALFORMED_HEADER', { offset: p.pos, detail: `unexpected ${JSON.stringify(p.peek())}` });
    }
    if (p.peek() === '=') {
      throw err('AUTH_MALFORMED_HEADER', { offset: start, detail: `parameter ${name} before any scheme` });
    }
    // A new element: `scheme`, then params or a token68.
    current = { scheme: name, params: new Map() };
    out.push(current);
    if (!p.done() && p.peek() !== ',') {
      const t68 = p.tryToken68();
      if (t68 !== null) current.token68 = t68;
    }
  }
  return out;
}

class Cursor {
  pos = 0;
  constructor(private readonly s: string) {}

  done(): boolean {
    return this.pos >= this.s.length;
  }

  peek(): string {
    return this.s[this.pos] ?? '';
  }

  skipWs(): void {
    while (WS.has(this.peek())) this.pos++;
  }

  skipSeparators(): void {
    while (WS.has(this.peek()) || this.peek() === ',') this.pos++;
  }

  token(what: string): string {
    const start = this.pos;
    while (!this.done() && TCHAR.test(this.peek())) this.pos++;
    if (this.pos === start) {
      const found = this.done() ? 'end of value' : JSON.stringify(this.peek());
      throw err('AUTH_MALFORMED_HEADER', { offset: start, detail: `expected ${what}, found ${found}` });
    }
    return this.s.slice(start, this.pos);
  }

  quotedString(): string {
    const start = this.pos;
    this.pos++; // opening quote
    let out = '';
    for (;;) {
      if (this.done())
        throw err('AUTH_MALFORMED_HEADER', { offset: start, detail: 'unterminated quoted string' });
      const c = this.s[this.pos]!;
      if (c === '"') {
        this.pos++;
        return out;
      }
      if (c === '\\') {
        const next = this.s[this.pos + 1];
        // quoted-pair: "\" (HTAB / SP / VCHAR / obs-text); RFC 3261 excludes CR and LF.
        if (next === undefined || next === '\r' || next === '\n') {
          throw err('AUTH_MALFORMED_HEADER', { offset: this.pos, detail: 'backslash escapes nothing' });
        }
        out += next;
        this.pos += 2;
        continue;
      }
      const code = c.charCodeAt(0);
      if ((code < 0x20 && c !== '\t') || code === 0x7f) {
        throw err('AUTH_MALFORMED_HEADER', {
          offset: this.pos,
          detail: 'control character in quoted string',
        });
      }
      out += c;
      this.pos++;
    }
  }

  /** A token68 is only taken when it fills the rest of the element; otherwise the element has params. */
  tryToken68(): string | null {
    TOKEN68.lastIndex = this.pos;
    const m = TOKEN68.exec(this.s);
    if (m === null) return null;
    let end = this.pos + m[0].length;
    while (WS.has(this.s[end] ?? '')) end++;
    if (end < this.s.length && this.s[end] !== ',') return null;
    this.pos = end;
    return m[0];
  }

  expectEndOfItem(): void {
    this.skipWs();
    if (!this.done() && this.peek() !== ',') {
      throw err('AUTH_MALFORMED_HEADER', {
        offset: this.pos,
        detail: `expected "," or end of value, found ${JSON.stringify(this.peek())}`,
      });
    }
  }
}

/** Quotes a value for a quoted-string, escaping the two characters that need it. */
export function quote(value: string): string {
  return '"' + value.replace(/["\\]/g, (c) => '\\' + c) + '"';
}

/** Boolean auth-params (stale, userhash): any value other than "true", case-insensitive, is false (RFC 7616 §3.3). */
export function isTrue(v: string | undefined): boolean {
  return v !== undefined && v.toLowerCase() === 'true';
}
