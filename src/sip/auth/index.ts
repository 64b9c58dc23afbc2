/**
 * Digest authentication for SIP (RFC 7616 + RFC 8760, RFC 2617/2069 compatible), client and server.
 * Pure: strings, time and randomness in, header values out; no sockets, no timers.
 *
 * Client — answering a 401/407:
 *   const auth = new DigestClient({ credentials: { username: 'alice', password: 's3cret' } });
 *   // credentials may also be { username, ha1: { MD5: '…', 'SHA-256': '…' } }, a list with `realm`s, or realm => creds
 *   const r = auth.answer(
 *     response.headers.getAll('WWW-Authenticate'),      // or 'Proxy-Authenticate' for a 407
 *     { method: 'REGISTER', uri: 'sip:example.com', body }, // uri = the Request-URI you will send
 *     'www',                                            // 'proxy' for a 407
 *     sent.headers.getAll('Authorization'),             // what the challenged request carried, if anything
 *   );
 *   if ('rejected' in r) give up (r.code: AUTH_CREDENTIALS_REJECTED, AUTH_NO_SUPPORTED_CHALLENGE, …; r.reason)
 *   else resend with a new CSeq and one `r.header` field per element of `r.values` (`r.value` = the first).
 * `answerResponse(auth, sentRequest, response)` does the same from a SipRequest/SipResponse pair.
 * The client picks the strongest offered algorithm, qop=auth (auth-int if that is all, or preferAuthInt),
 * counts nc per nonce, echoes opaque, uses userhash when offered, and treats stale=true as "retry with the
 * new nonce". A re-challenge without stale for a realm already answered is reported as rejected.
 * `auth.authorize(request, kind)` reuses the last nonce (nc + 1) for preemptive credentials.
 *
 * Server — a registrar challenging the PBX:
 *   const srv = new DigestServer({ realm, secret, lookup: (user) => ({ password }) });
 *   srv.challenge(now)                        -> WWW-Authenticate values (one per algorithm)
 *   srv.verify(authorizationValues, { method, uri, body }, now)
 *     -> { ok: true, username } | { ok: false, code, reason, stale }  (stale: re-challenge with { stale: true })
 */
export { DIGEST_ALGORITHMS, type DigestAlgorithm, type DigestHash } from './algorithms';
export { parseChallenges, formatChallenge, type DigestChallenge, type ChallengeParams } from './challenge';
export {
  parseCredentials,
  formatCredentials,
  type DigestCredentials,
  type CredentialsParams,
} from './credentials';
export { computeResponse, computeHa1, computeHa2, ha1Base, hashedUsername, type DigestInput } from './digest';
export {
  DigestClient,
  type AnswerResult,
  type AuthKind,
  type AuthRequest,
  type ClientCredentials,
  type DigestClientOptions,
} from './client';
export {
  DigestServer,
  type DigestServerOptions,
  type ServerSecret,
  type VerifyRequest,
  type VerifyResult,
} from './server';
export {
  answerResponse,
  verifyRequest,
  type HeaderReader,
  type RequestLike,
  type ResponseLike,
} from './sip-messages';
