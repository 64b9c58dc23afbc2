/**
 * At most one log line per interval for a condition a remote party can trigger at will (a malformed
 * request that breaks a handler): the first occurrence is logged, later ones within the interval are
 * counted and reported with the next line, so the rate of lines is ours, not the sender's.
 */
export class LogLimiter {
  private lastAt = -Infinity;
  private suppressed = 0;

  constructor(private readonly intervalMs: number) {}

  /** The number of occurrences suppressed since the last line, or null when this one is to be suppressed. */
  take(now: number): number | null {
    if (now - this.lastAt < this.intervalMs) {
      this.suppressed++;
      return null;
    }
    this.lastAt = now;
    const n = this.suppressed;
    this.suppressed = 0;
    return n;
  }
}
