import type { AnswerResult, AuthKind, DigestClient } from './client';
import type { DigestServer, VerifyResult } from './server';

/**
 * Conveniences over SIP messages. They rely only on the `headers.getAll` contract of src/sip/message
 * (structurally, so this file imports nothing from it): SipRequest and SipResponse fit these shapes.
 * All field values of a header are passed on; the parsers here rejoin them, so it does not matter
 * whether the message layer splits WWW-Authenticate at commas or not.
 */
export interface HeaderReader {
  getAll(name: string): string[];
}

export interface RequestLike {
  readonly method: string;
  readonly uri: string;
  readonly body?: string | Buffer;
  readonly headers: HeaderReader;
}

export interface ResponseLike {
  readonly status: number;
  readonly headers: HeaderReader;
}

/**
 * Answers a 401 or 407 to `sent` (the request that drew it). Resend `sent` with a new CSeq and the
 * returned header set to `values` (replacing any earlier field of that name); on `rejected`, give up.
 */
export function answerResponse(
  client: DigestClient,
  sent: RequestLike,
  response: ResponseLike,
): AnswerResult {
  const kind: AuthKind = response.status === 407 ? 'proxy' : 'www';
  const challenges = response.headers.getAll(kind === 'proxy' ? 'Proxy-Authenticate' : 'WWW-Authenticate');
  const previous = sent.headers.getAll(kind === 'proxy' ? 'Proxy-Authorization' : 'Authorization');
  return client.answer(challenges, sent, kind, previous);
}

/** Verifies a received request's Authorization (kind 'www', a registrar) or Proxy-Authorization ('proxy'). */
export function verifyRequest(
  server: DigestServer,
  request: RequestLike,
  now: number,
  kind: AuthKind = 'www',
): VerifyResult {
  return server.verify(
    request.headers.getAll(kind === 'proxy' ? 'Proxy-Authorization' : 'Authorization'),
    request,
    now,
  );
}
