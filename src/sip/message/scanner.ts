import { GEN_VALUE as GEN_VALUE_TABLE, TOKEN as TOKEN_TABLE } from './charset';
import { SipParseError, excerpt } from './errors';
import { matcher } from './intern';
import { emptyParams, type Params } from './params';

/** @internal parameter names nearly every message has, as literals. */
export const COMMON_PARAM = matcher([
  'branch',
  'tag',
  'rport',
  'received',
  'lr',
  'transport',
  'maddr',
  'ttl',
  'user',
  'method',
  'expires',
  'q',
  'ob',
  'alias',
]);

// Local aliases: a hot loop reading an imported binding pays for a module-namespace lookup.
const GEN_VALUE = GEN_VALUE_TABLE;
const TOKEN = TOKEN_TABLE;

/**
 * A cursor over one (unfolded) header value, with the RFC 3261 §25.1 building blocks: SWS, token,
 * quoted-string, EQUAL/SEMI/COMMA and generic parameters. Errors name the header being read.
 */
export class Scanner {
  pos = 0;

  constructor(
    readonly s: string,
    readonly header: string,
  ) {}

  fail(detail: string): SipParseError {
    return new SipParseError('SIP_BAD_HEADER', { header: this.header, detail });
  }

  get done(): boolean {
    return this.pos >= this.s.length;
  }

  peek(): number {
    return this.s.charCodeAt(this.pos);
  }

  /** SWS: optional white space (values are already unfolded, so LWS is just SP / HTAB). */
  ws(): boolean {
    const start = this.pos;
    while (this.pos < this.s.length) {
      const c = this.s.charCodeAt(this.pos);
      if (c !== 32 && c !== 9) break;
      this.pos++;
    }
    return this.pos > start;
  }

  /** Consumes `ch` surrounded by optional white space; false (position unchanged) if absent. */
  sep(ch: number): boolean {
    const save = this.pos;
    this.ws();
    if (this.s.charCodeAt(this.pos) === ch) {
      this.pos++;
      this.ws();
      return true;
    }
    this.pos = save;
    return false;
  }

  expect(ch: number, what: string): void {
    if (!this.sep(ch)) throw this.fail(`expected ${what} at ${excerpt(this.s.slice(this.pos), 20)}`);
  }

  token(what: string): string {
    const start = this.pos;
    while (this.pos < this.s.length) {
      const c = this.s.charCodeAt(this.pos);
      if (c >= 128 || TOKEN[c] !== 1) break;
      this.pos++;
    }
    if (this.pos === start) throw this.fail(`expected ${what} at ${excerpt(this.s.slice(start), 20)}`);
    return this.s.slice(start, this.pos);
  }

  /** quoted-string: returns the raw text including the quotes; quoted-pair may escape any byte but CR/LF. */
  quoted(): string {
    const start = this.pos;
    if (this.s.charCodeAt(this.pos) !== 34) throw this.fail('expected a quoted string');
    this.pos++;
    while (this.pos < this.s.length) {
      const c = this.s.charCodeAt(this.pos);
      if (c === 92) {
        const n = this.s.charCodeAt(this.pos + 1);
        if (Number.isNaN(n) || n === 10 || n === 13) throw this.fail('bad escape in a quoted string');
        this.pos += 2;
        continue;
      }
      if (c === 34) {
        this.pos++;
        return this.s.slice(start, this.pos);
      }
      // qdtext excludes the other control characters (only LWS is allowed).
      if ((c < 32 && c !== 9) || c === 127) throw this.fail('control character in a quoted string');
      this.pos++;
    }
    throw this.fail('unterminated quoted string');
  }

  /** gen-value = token / host / quoted-string (raw, as written). */
  genValue(): string {
    if (this.s.charCodeAt(this.pos) === 34) return this.quoted();
    const start = this.pos;
    while (this.pos < this.s.length) {
      const c = this.s.charCodeAt(this.pos);
      if (c >= 128 || GEN_VALUE[c] !== 1) break;
      this.pos++;
    }
    if (this.pos === start) throw this.fail('empty parameter value');
    return this.s.slice(start, this.pos);
  }

  /** *( SEMI generic-param ) */
  params(into: Params = emptyParams()): Params {
    while (this.sep(59 /* ; */)) {
      const name = this.paramName();
      into[name] = this.sep(61 /* = */) ? this.genValue() : null;
    }
    return into;
  }

  /** A parameter name, lower-cased; the common lower-case spellings come back as literals. */
  paramName(): string {
    const start = this.pos;
    const s = this.s;
    while (this.pos < s.length) {
      const c = s.charCodeAt(this.pos);
      if (c >= 128 || TOKEN[c] !== 1) break;
      this.pos++;
    }
    if (this.pos === start) throw this.fail(`expected a parameter name at ${excerpt(s.slice(start), 20)}`);
    return COMMON_PARAM(s, start, this.pos) ?? s.slice(start, this.pos).toLowerCase();
  }

  /** After an element: end of value, or a COMMA when `list` allows another element. */
  endOfElement(list: boolean): boolean {
    this.ws();
    if (this.done) return true;
    if (list && this.sep(44 /* , */)) return false;
    throw this.fail(`unexpected ${excerpt(this.s.slice(this.pos), 20)}`);
  }
}

/** The text of a quoted string without its quotes and with quoted-pairs resolved. */
export function unquote(q: string): string {
  if (q.length < 2 || q.charCodeAt(0) !== 34) return q;
  const inner = q.slice(1, -1);
  return inner.indexOf('\\') < 0 ? inner : inner.replace(/\\([\s\S])/g, '$1');
}

export function quote(text: string): string {
  // quoted-pair can carry any byte but CR and LF; control characters are not qdtext, so escape them too.
  return `"${text.replace(/["\\\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g, (c) => `\\${c}`)}"`;
}
