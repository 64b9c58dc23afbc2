import type { ErrorTable } from './catalogue';

/**
 * Error codes of the auth domain (SIP digest authentication, src/sip/auth). Codes start with AUTH_; document
 * each in docs/errors.md. Parse errors are thrown; verification failures are returned (with one of these
 * codes) because a failed check is an expected outcome a registrar answers with a fresh challenge.
 * No message ever carries a password, an HA1 or an expected response.
 */
export const AUTH_ERRORS = {
  AUTH_MALFORMED_HEADER: {
    message: 'malformed authentication header at offset {offset}: {detail}',
    sip: 400,
  },
  AUTH_MISSING_PARAM: { message: 'Digest {what} lacks the {param} parameter', sip: 400 },
  AUTH_DUPLICATE_PARAM: { message: 'Digest parameter {param} appears more than once', sip: 400 },
  AUTH_BAD_PARAM: { message: 'Digest parameter {param} is invalid: {detail}', sip: 400 },
  AUTH_NO_DIGEST_CREDENTIALS: { message: 'no Digest credentials for realm {realm}', sip: 401 },
  AUTH_BAD_CONFIG: { message: 'invalid digest authentication settings: {detail}' },
  AUTH_REALM_MISMATCH: { message: 'credentials are for realm {realm}, expected {expected}', sip: 401 },
  AUTH_ALGORITHM_NOT_OFFERED: { message: 'algorithm {algorithm} was not offered', sip: 401 },
  AUTH_QOP_NOT_OFFERED: { message: 'qop {qop} was not offered', sip: 401 },
  AUTH_URI_MISMATCH: { message: 'digest uri {uri} does not match the request URI {requestUri}', sip: 400 },
  AUTH_OPAQUE_MISMATCH: { message: 'opaque does not match the challenge', sip: 401 },
  AUTH_NONCE_INVALID: { message: 'nonce was not issued by this server', sip: 401 },
  AUTH_NONCE_STALE: { message: 'nonce has expired or is no longer tracked', sip: 401 },
  AUTH_NONCE_REPLAY: { message: 'nonce count {nc} was already used with this nonce', sip: 401 },
  AUTH_BAD_CREDENTIALS: { message: 'invalid username or password', sip: 401 },
  AUTH_NO_CREDENTIALS_FOR_REALM: { message: 'no credentials configured for realm {realm}' },
  AUTH_NO_SUPPORTED_CHALLENGE: {
    message: 'no challenge offers a supported algorithm and qop (offered: {offered})',
  },
  AUTH_CREDENTIALS_REJECTED: { message: 'the server rejected the credentials for realm {realm}' },
} as const satisfies ErrorTable;

export type AuthErrorCode = keyof typeof AUTH_ERRORS;
