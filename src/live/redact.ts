/** A Redis URL fit for logs: the password (and a user name that may be a token) replaced by `***`. */
export function redactRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    else if (u.username) u.username = '***';
    return u.toString();
  } catch {
    // An unparseable URL may still contain a secret; say nothing about its contents.
    return '<unparseable redis url>';
  }
}
