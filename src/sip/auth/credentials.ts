import { errorFactory } from '../../errors/catalogue';
import { AUTH_ERRORS } from '../../errors/auth';
import { toAlgorithm, type DigestAlgorithm } from './algorithms';
import { isTrue, parseAuthElements, quote, type AuthElement } from './auth-params';

const err = errorFactory(AUTH_ERRORS);

/** Digest credentials from Authorization or Proxy-Authorization (RFC 7616 §3.4, RFC 3261 §25.1). */
export interface DigestCredentials {
  /** As sent: H(username:realm) when `userhash`, else the username (decoded from username* if that was used). */
  readonly username: string;
  readonly userhash: boolean;
  readonly realm: string;
  readonly nonce: string;
  readonly uri: string;
  readonly response: string;
  /** Token as sent ('MD5' when absent); `supportedAlgorithm` is its canonical form, or null. */
  readonly algorithm: string;
  readonly supportedAlgorithm: DigestAlgorithm | null;
  readonly qop?: string;
  readonly nc?: string;
  readonly cnonce?: string;
  readonly opaque?: string;
  readonly params: ReadonlyMap<string, string>;
}

const NC = /^[0-9a-fA-F]{8}$/;

/**
 * Every Digest credentials element in the value(s) of Authorization / Proxy-Authorization header fields.
 * Throws a GeoredError (AUTH_MALFORMED_HEADER, AUTH_DUPLICATE_PARAM, AUTH_MISSING_PARAM, AUTH_BAD_PARAM).
 */
export function parseCredentials(headerValue: string | readonly string[]): DigestCredentials[] {
  const joined = typeof headerValue === 'string' ? headerValue : headerValue.join(', ');
  return parseAuthElements(joined)
    .filter((e) => e.scheme.toLowerCase() === 'digest')
    .map(toCredentials);
}

function toCredentials(e: AuthElement): DigestCredentials {
  if (e.token68 !== undefined)
    throw err('AUTH_MALFORMED_HEADER', { offset: 0, detail: 'Digest takes no token68' });
  const p = e.params;
  const required = (name: string): string => {
    const v = p.get(name);
    if (v === undefined) throw err('AUTH_MISSING_PARAM', { what: 'credentials', param: name });
    return v;
  };
  const userhash = isTrue(p.get('userhash'));
  const username = usernameOf(p, userhash);
  const algorithm = p.get('algorithm') ?? 'MD5';
  const qop = p.get('qop');
  const nc = p.get('nc');
  const cnonce = p.get('cnonce');
  const opaque = p.get('opaque');
  if (qop !== undefined) {
    if (nc === undefined) throw err('AUTH_MISSING_PARAM', { what: 'credentials with qop', param: 'nc' });
    if (cnonce === undefined)
      throw err('AUTH_MISSING_PARAM', { what: 'credentials with qop', param: 'cnonce' });
  }
  if (nc !== undefined && !NC.test(nc))
    throw err('AUTH_BAD_PARAM', { param: 'nc', detail: 'not 8 hex digits' });
  return {
    username,
    userhash,
    realm: required('realm'),
    nonce: required('nonce'),
    uri: required('uri'),
    response: required('response'),
    algorithm,
    supportedAlgorithm: toAlgorithm(algorithm),
    ...(qop !== undefined && { qop }),
    ...(nc !== undefined && { nc }),
    ...(cnonce !== undefined && { cnonce }),
    ...(opaque !== undefined && { opaque }),
    params: p,
  };
}

function usernameOf(p: ReadonlyMap<string, string>, userhash: boolean): string {
  const plain = p.get('username');
  const extended = p.get('username*');
  if (plain !== undefined && extended !== undefined) {
    throw err('AUTH_BAD_PARAM', { param: 'username*', detail: 'sent together with username' });
  }
  if (extended !== undefined) {
    if (userhash) throw err('AUTH_BAD_PARAM', { param: 'username*', detail: 'not allowed with userhash' });
    return decodeExtValue(extended);
  }
  if (plain === undefined) throw err('AUTH_MISSING_PARAM', { what: 'credentials', param: 'username' });
  return plain;
}

/** RFC 8187 ext-value (`UTF-8'lang'pct-encoded`), the form RFC 7616 §3.4.4 gives username*. */
function decodeExtValue(v: string): string {
  const m = /^([^']*)'[^']*'(.*)$/.exec(v);
  if (m === null || m[1]!.toLowerCase() !== 'utf-8') {
    throw err('AUTH_BAD_PARAM', { param: 'username*', detail: "expected UTF-8'language'value" });
  }
  const bytes: number[] = [];
  const s = m[2]!;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '%') {
      const hex = s.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex))
        throw err('AUTH_BAD_PARAM', { param: 'username*', detail: 'bad escape' });
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(s.charCodeAt(i));
    }
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bytes));
  } catch {
    throw err('AUTH_BAD_PARAM', { param: 'username*', detail: 'not valid UTF-8' });
  }
}

/** What a client puts in its answer; see DigestClient. */
export interface CredentialsParams {
  readonly username: string;
  readonly userhash: boolean;
  readonly realm: string;
  readonly nonce: string;
  readonly uri: string;
  readonly response: string;
  /** Omitted from the header when undefined (the challenge did not name one either). */
  readonly algorithm?: string;
  readonly qop?: string;
  readonly nc?: string;
  readonly cnonce?: string;
  readonly opaque?: string;
}

/** Serializes credentials; qop, nc and algorithm are tokens (RFC 3261 §25.1), the rest quoted. */
export function formatCredentials(c: CredentialsParams): string {
  const parts = [
    `username=${quote(c.username)}`,
    `realm=${quote(c.realm)}`,
    `nonce=${quote(c.nonce)}`,
    `uri=${quote(c.uri)}`,
    `response=${quote(c.response)}`,
  ];
  if (c.algorithm !== undefined) parts.push(`algorithm=${c.algorithm}`);
  if (c.cnonce !== undefined) parts.push(`cnonce=${quote(c.cnonce)}`);
  if (c.opaque !== undefined) parts.push(`opaque=${quote(c.opaque)}`);
  if (c.qop !== undefined) parts.push(`qop=${c.qop}`);
  if (c.nc !== undefined) parts.push(`nc=${c.nc}`);
  if (c.userhash) parts.push('userhash=true');
  return `Digest ${parts.join(', ')}`;
}
