import { GeoredError, type ErrorSpec } from '../../errors/catalogue';
import { SIP_ERRORS } from '../../errors/sip';

export type SipErrorCode = keyof typeof SIP_ERRORS;

/**
 * The one error the message layer throws for bad input. `status` is what an element answers: the code's
 * SIP status for a request, `undefined` for a response or for bytes that are not recognisably a request —
 * those are dropped (RFC 3261 §18.1.2, §18.2.1).
 */
export class SipParseError extends GeoredError {
  readonly status: number | undefined;

  constructor(code: SipErrorCode, params: Record<string, unknown> = {}, answerable = true) {
    super(code, SIP_ERRORS[code], params);
    this.name = 'SipParseError';
    this.status = answerable ? (SIP_ERRORS[code] as ErrorSpec).sip : undefined;
  }

  /** The same error, marked as coming from a message nobody answers (a response). */
  unanswerable(): SipParseError {
    return this.status === undefined
      ? this
      : new SipParseError(this.code as SipErrorCode, this.params as Record<string, unknown>, false);
  }
}

/** Shows at most `max` characters of untrusted text inside an error message. */
export function excerpt(text: string, max = 80): string {
  const clean = text.replace(
    /[\x00-\x1f\x7f]/g,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
  return JSON.stringify(clean.length > max ? clean.slice(0, max) + '…' : clean);
}
