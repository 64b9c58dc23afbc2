/** Masking the password part of connection URLs (postgres://user:pw@host/db, redis://:pw@host). */
export const REDACTED = '[redacted]';

export function urlPasswordMasked(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return text;
  }
  if (url.password === '') return text;
  url.password = '***';
  return url.toString();
}
