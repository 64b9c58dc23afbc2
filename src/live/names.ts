import { errorFactory } from '../errors/catalogue';
import { LIVE_ERRORS } from '../errors/live';

const err = errorFactory(LIVE_ERRORS);

/** Names become parts of Redis keys and log lines: keep them printable and bounded. */
export function checkName(what: string, name: string): void {
  if (typeof name !== 'string' || name.length === 0 || name.length > 200) {
    throw err('LIVE_BAD_NAME', { what, name: JSON.stringify(name), detail: 'expected 1 to 200 characters' });
  }

  if (/[\u0000-\u001f\u007f]/.test(name)) {
    throw err('LIVE_BAD_NAME', { what, name: JSON.stringify(name), detail: 'control characters' });
  }
}

/** Redis counts in 64-bit integers; a fraction would be refused there and silently kept in memory. */
export function checkCount(name: string, by: number): void {
  if (!Number.isSafeInteger(by)) throw err('LIVE_BAD_COUNT', { name, by });
}
