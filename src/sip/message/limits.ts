import { GeoredError } from '../../errors/catalogue';
import { SIP_ERRORS } from '../../errors/sip';

/** Bounds on what one message may cost to hold and parse; each breach is named in its error. */
export interface ParseLimits {
  /** Largest message, start line to end of body (octets). */
  readonly maxMessageBytes: number;
  /**
   * Most header field lines (continuation lines of a folded field do not count, nor does the first
   * Content-Length, which serialization always writes).
   */
  readonly maxHeaders: number;
  /**
   * Longest physical line (octets, CRLF excluded). By default the message limit: a realistic message with
   * one long Via or Record-Route line (Kamailio reads 64 KB messages) must not be lost for its shape.
   */
  readonly maxLineLength: number;
}

export const DEFAULT_LIMITS: ParseLimits = Object.freeze({
  maxMessageBytes: 65535,
  maxHeaders: 256,
  maxLineLength: 65535,
});

/** Merges overrides onto the defaults, refusing anything but positive integers. */
export function resolveLimits(partial?: Partial<ParseLimits>): ParseLimits {
  if (partial === undefined) return DEFAULT_LIMITS;
  const out = { ...DEFAULT_LIMITS };
  for (const name of ['maxMessageBytes', 'maxHeaders', 'maxLineLength'] as const) {
    const v = partial[name];
    if (v === undefined) continue;
    if (!Number.isSafeInteger(v) || v <= 0) {
      throw new GeoredError('SIP_BAD_PARSE_LIMITS', SIP_ERRORS.SIP_BAD_PARSE_LIMITS, {
        name,
        value: String(v),
      });
    }
    out[name] = v;
  }
  return Object.freeze(out);
}
