import { errorFactory } from '../errors/catalogue';
import { STORE_ERRORS } from '../errors/store';

const storeError = errorFactory(STORE_ERRORS);

export type StoreLocation =
  | { readonly dialect: 'sqlite'; readonly path: string; readonly memory: boolean }
  | { readonly dialect: 'postgres'; readonly connectionString: string };

/**
 * Replaces the password of a URL (user:PASSWORD@ and ?password=…) with `***`. Works on strings that are
 * not valid URLs too, because the text that reaches a log is often the one that failed to parse.
 */
export function redactUrl(url: string): string {
  return url
    .replace(/^([a-z][a-z0-9+.-]*:\/\/[^/?#@:]*):[^@/?#]*@/i, '$1:***@')
    .replace(/([?&](?:password|pass|pwd)=)[^&#]*/gi, '$1***');
}

/** Removes every occurrence of the URL's password from a text (driver messages sometimes echo it). */
export function scrubSecret(text: string, url: string): string {
  const password = passwordOf(url);
  return password ? text.split(password).join('***') : text;
}

function passwordOf(url: string): string | null {
  const m = /^[a-z][a-z0-9+.-]*:\/\/[^/?#@:]*:([^@/?#]*)@/i.exec(url);
  const raw = m?.[1] ?? /[?&](?:password|pass|pwd)=([^&#]*)/i.exec(url)?.[1];
  if (!raw) return null;
  return raw.length >= 3 ? raw : null; // too short to scrub without mangling unrelated text
}

/** `sqlite:PATH`, `sqlite://PATH`, `sqlite::memory:`, `postgres://…`, `postgresql://…`. */
export function parseStoreUrl(url: string): StoreLocation {
  if (/^postgres(ql)?:\/\//i.test(url)) return { dialect: 'postgres', connectionString: url };
  const sqlite = /^sqlite:(?:\/\/)?(.+)$/i.exec(url);
  if (sqlite) {
    const path = sqlite[1]!;
    if (path === ':memory:') return { dialect: 'sqlite', path, memory: true };
    return { dialect: 'sqlite', path, memory: false };
  }
  throw storeError('STORE_BAD_URL', { url: JSON.stringify(redactUrl(url)) });
}
