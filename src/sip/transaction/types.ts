import type { SipMessage, SipRequest, SipResponse } from '../message';
import type { Endpoint } from '../transport/types';

/** Something the layer asks of the transport, or tells the transaction user (TU). */
export type LayerOutput =
  /**
   * Put these bytes on the wire. `txId`: the transaction a failure to deliver them is reported to (its
   * request, or its response); absent for an ACK, whose loss the transaction does not hear of (§17.1.1.3).
   */
  | { readonly type: 'send'; readonly message: SipMessage; readonly dest: Endpoint; readonly txId?: string }
  /** A new request created a server transaction; the TU answers it with `respond(txId, ...)`. Never an ACK. */
  | {
      readonly type: 'request';
      readonly txId: string;
      readonly request: SipRequest;
      readonly source: Endpoint;
    }
  /** An ACK that belongs to no transaction: the ACK for a 2xx, end to end (RFC 3261 §17.1.1.3, RFC 6026). */
  | { readonly type: 'ack'; readonly request: SipRequest; readonly source: Endpoint }
  /** A response for a client transaction: provisional, final, and 2xx retransmissions while Accepted. */
  | { readonly type: 'response'; readonly txId: string; readonly response: SipResponse }
  /** Timer B or F: no final response; the TU treats it as a 408 (RFC 3261 §8.1.3.1). */
  | { readonly type: 'timeout'; readonly txId: string }
  /** The transport failed to deliver (RFC 3261 §17.1.4, §17.2.4); the TU treats it as a 503 or 408. */
  | { readonly type: 'transport-error'; readonly txId: string }
  /** A response that matches no client transaction: a proxy forwards it statelessly (§16.7, §18.1.2). */
  | { readonly type: 'stray-response'; readonly response: SipResponse; readonly source: Endpoint }
  /** The transaction is gone; its id will not appear again. */
  | { readonly type: 'terminated'; readonly txId: string }
  /** Timer H: the final non-2xx response to an INVITE was never acknowledged (RFC 3261 §17.2.1). */
  | { readonly type: 'ack-timeout'; readonly txId: string };

export type TransactionKind = 'invite-client' | 'non-invite-client' | 'invite-server' | 'non-invite-server';

export type InviteClientState = 'Calling' | 'Proceeding' | 'Completed' | 'Accepted' | 'Terminated';
export type NonInviteClientState = 'Trying' | 'Proceeding' | 'Completed' | 'Terminated';
export type InviteServerState = 'Proceeding' | 'Completed' | 'Confirmed' | 'Accepted' | 'Terminated';
export type NonInviteServerState = 'Trying' | 'Proceeding' | 'Completed' | 'Terminated';

export type TransactionState =
  InviteClientState | NonInviteClientState | InviteServerState | NonInviteServerState;
