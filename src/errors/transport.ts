import type { ErrorTable } from './catalogue';

/**
 * Error codes of the SIP transport layer and the stack glue above it (src/sip/transport, src/sip/stack).
 * Codes start with TRANSPORT_; each message is one line an operator can act on.
 */
export const TRANSPORT_ERRORS = {
  TRANSPORT_LISTEN_FAILED: { message: 'cannot listen on {endpoint}: {reason}' },
  TRANSPORT_CONNECT_REFUSED: { message: 'connection refused by {endpoint}', sip: 503 },
  TRANSPORT_CONNECT_TIMEOUT: { message: 'no connection to {endpoint} within {ms} ms', sip: 503 },
  TRANSPORT_CONNECT_FAILED: { message: 'cannot connect to {endpoint}: {reason}', sip: 503 },
  TRANSPORT_TLS_HANDSHAKE_FAILED: { message: 'TLS handshake with {endpoint} failed: {reason}', sip: 503 },
  TRANSPORT_TLS_FILE_UNREADABLE: { message: 'cannot read TLS {what} file {file}: {reason}' },
  TRANSPORT_TLS_NOT_CONFIGURED: { message: 'cannot listen on {endpoint}: TLS needs a certificate and a key' },
  TRANSPORT_CONNECTION_LIMIT: {
    message: 'connection limit of {max} reached: not connecting to {endpoint}',
    sip: 503,
  },
  TRANSPORT_CONNECTION_LOST: { message: 'connection to {endpoint} closed: {reason}', sip: 503 },
  TRANSPORT_SEND_FAILED: { message: 'sending to {endpoint} failed: {reason}', sip: 503 },
  TRANSPORT_PORT_UNREACHABLE: { message: 'port unreachable: {endpoint}', sip: 503 },
  TRANSPORT_NO_SOCKET: {
    message:
      'no {protocol} socket for IPv{family} to send to {endpoint}: add a listen address of that family',
    sip: 503,
  },
  TRANSPORT_CLOSED: { message: 'the SIP transport is closed: cannot send to {endpoint}', sip: 503 },
  TRANSPORT_BAD_TARGET: { message: 'cannot send a request to {uri}: {reason}' },
  TRANSPORT_RESOLVE_FAILED: { message: 'cannot resolve {host}: {reason}', sip: 503 },
} as const satisfies ErrorTable;
