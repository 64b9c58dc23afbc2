import type { ErrorTable } from './catalogue';

/**
 * Error codes of the SIP transaction layer (src/sip/transaction, RFC 3261 §17). Every one of them is a
 * misuse by the caller (the transaction user or the stack), never something a peer can cause by sending
 * a message, so none maps to an HTTP status.
 */
export const TRANSACTION_ERRORS = {
  TXN_UNKNOWN_TRANSACTION: {
    message: 'no transaction {id}: it never existed or has already terminated',
  },
  TXN_NOT_A_SERVER_TRANSACTION: {
    message: 'transaction {id} is a client transaction: only server transactions take responses from the TU',
  },
  TXN_BAD_RESPONSE_STATUS: {
    message: 'transaction {id}: the TU passed status {status}; a response status is 100 to 699',
  },
  TXN_RESPONSE_MISMATCH: {
    message: 'transaction {id}: the response is for {got}, the transaction is for {expected}',
  },
  TXN_MISSING_BRANCH: {
    message:
      'cannot start a client transaction: the top Via of the {method} has no branch (RFC 3261 §8.1.1.7)',
  },
  TXN_DUPLICATE_BRANCH: {
    message: 'cannot start a client transaction: branch {branch} for {method} is already in use',
  },
  TXN_ACK_HAS_NO_TRANSACTION: {
    message:
      'an ACK for a 2xx is not a transaction (RFC 3261 §17.1.1.3): send it through the transport, not the transaction layer',
  },
  TXN_BAD_TIMER: {
    message: 'timer {name} = {value} ms: T1 and T2 must be positive and T4 at least 0 (RFC 3261 §17)',
  },
  TXN_UNLISTED_TIMER: {
    message: "timer {name} is not in the {kind} transaction's list of timers: a bug in its state machine",
  },
} as const satisfies ErrorTable;
