/** Reading secret-bearing values from the document: never echoing what was found. */
import { isScalar } from 'yaml';
import { resolveSecret, type Secret } from './secret';
import type { Cursor, Reader } from './yaml-reader';

const SECRET_EXPECTED = 'env:VAR or file:PATH naming the secret';

/** A `password`/`token` field: `env:VAR` or `file:PATH`, resolved now. */
export function readSecret(r: Reader, c: Cursor, env: NodeJS.ProcessEnv): Secret | undefined {
  if (c.node === undefined) return undefined;
  if (!isScalar(c.node) || typeof c.node.value !== 'string') {
    // Even a mistyped secret (a number, say) may be the real one: describe its shape, not its value.
    r.reportAt('CONFIG_WRONG_VALUE', c, {
      found: 'a value that is not a string (not shown)',
      expected: SECRET_EXPECTED,
    });
    return undefined;
  }
  const result = resolveSecret(c.node.value.trim(), env);
  if (result.ok) return result.secret;
  r.reportAt(result.code, c, result.params);
  return undefined;
}

/**
 * A connection URL (store, redis) that may carry a password. A URL without one may be written in the
 * file; one with a password must come from env:/file:. Returns the URL and whether it came from a
 * secret, in which case problems must not echo it.
 */
export function readUrlSetting(
  r: Reader,
  c: Cursor,
  env: NodeJS.ProcessEnv,
  expected: string,
  valid: (url: string) => boolean,
): string | undefined {
  if (c.node === undefined) return undefined;
  if (!isScalar(c.node) || typeof c.node.value !== 'string') return r.wrong(c, expected);
  const text = c.node.value.trim();
  if (text.startsWith('env:') || text.startsWith('file:')) {
    const result = resolveSecret(text, env);
    if (!result.ok) {
      r.reportAt(result.code, c, result.params);
      return undefined;
    }
    if (!valid(result.secret.value)) {
      r.reportAt('CONFIG_WRONG_VALUE', c, { found: `the value of ${text} (not shown)`, expected });
      return undefined;
    }
    return result.secret.value;
  }
  if (urlPassword(text) !== null) {
    r.reportAt('CONFIG_LITERAL_SECRET', c, {});
    return undefined;
  }
  return valid(text) ? text : r.wrong(c, expected);
}

/** The password in a URL's userinfo, or null. */
export function urlPassword(text: string): string | null {
  try {
    const url = new URL(text);
    return url.password === '' ? null : url.password;
  } catch {
    return null;
  }
}
