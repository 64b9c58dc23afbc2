import type { SipRequest, SipResponse } from '../message';
import { isReliable, type Endpoint } from '../transport/types';
import { ackForNonSuccess } from './ack';
import { timerD, transactionTimeout, type TimerValues } from './timers';
import { Transaction, type TransitionTable } from './transaction';
import type { InviteClientState, LayerOutput } from './types';

/** 'X' is no RFC letter: the 64*T1 a CANCELled INVITE is given before it is destroyed (§9.1). */
type InviteClientTimer = 'A' | 'B' | 'D' | 'M' | 'X';

const TRANSITIONS: TransitionTable<InviteClientState> = {
  Calling: ['Proceeding', 'Completed', 'Accepted', 'Terminated'],
  Proceeding: ['Completed', 'Accepted', 'Terminated'],
  Completed: ['Terminated'],
  Accepted: ['Terminated'],
  Terminated: [],
};

/** RFC 3261 §17.1.1 as updated by RFC 6026 §8.4 (the Accepted state). */
export class InviteClientTransaction extends Transaction<InviteClientState, InviteClientTimer> {
  readonly kind = 'invite-client';
  private readonly reliable: boolean;
  private intervalA: number;
  private ack: SipRequest | undefined;
  /**
   * The INVITE, for Timer A and for building the non-2xx ACK. Dropped once a final response arrives:
   * Accepted and Completed never send it again, and holding it through Timer M or D (32 s) would keep the
   * whole message alive into the old generation, where only full collections reclaim it.
   */
  private request: SipRequest | null;

  constructor(
    id: string,
    request: SipRequest,
    readonly dest: Endpoint,
    private readonly timers: TimerValues,
  ) {
    // Timeouts take precedence over a retransmission due at the same instant.
    super(id, 'Calling', TRANSITIONS, ['B', 'X', 'D', 'M', 'A']);
    this.request = request;
    this.reliable = isReliable(dest.protocol);
    this.intervalA = timers.T1;
  }

  start(now: number, out: LayerOutput[]): void {
    // §17.1.1.2: "The initial state, "Calling", MUST be entered when the TU initiates a new client
    // transaction with an INVITE request. The client transaction MUST pass the request to the transport
    // layer for transmission. If an unreliable transport is being used, the client transaction MUST start
    // timer A with a value of T1. ... For any transport, the client transaction MUST start timer B with a
    // value of 64*T1 seconds."
    if (this.request) out.push({ type: 'send', message: this.request, dest: this.dest, txId: this.id });
    if (!this.reliable) this.arm('A', now + this.intervalA);
    this.arm('B', now + transactionTimeout(this.timers));
  }

  onResponse(response: SipResponse, now: number, out: LayerOutput[]): void {
    const status = response.status;
    switch (this.state) {
      case 'Calling':
      case 'Proceeding':
        if (status < 200) {
          // "If the client transaction receives a provisional response while in the "Calling" state, it
          // transitions to the "Proceeding" state. In the "Proceeding" state, the client transaction SHOULD
          // NOT retransmit the request any longer. ... any further provisional responses MUST be passed up
          // to the TU while in the "Proceeding" state."
          if (this.state === 'Calling') {
            this.transition('Proceeding');
            this.disarm('A');
            this.disarm('B');
          }
          out.push({ type: 'response', txId: this.id, response });
        } else if (status < 300) {
          // RFC 6026 §8.4: "If a 2xx response is received while the client INVITE state machine is in the
          // "Calling" or "Proceeding" states, it MUST transition to the "Accepted" state, pass the 2xx
          // response to the TU, and set Timer M to 64*T1."
          this.transition('Accepted');
          this.disarm('A');
          this.disarm('B');
          this.arm('M', now + transactionTimeout(this.timers));
          this.request = null;
          out.push({ type: 'response', txId: this.id, response });
        } else {
          // "When in either the "Calling" or "Proceeding" states, reception of a response with status code
          // from 300-699 MUST cause the client transaction to transition to "Completed". The client
          // transaction MUST pass the received response up to the TU, and the client transaction MUST
          // generate an ACK request ... The client transaction SHOULD start timer D ... Timer D MUST be set to
          // fire in at least 32 seconds for unreliable transports, and in zero seconds for reliable".
          this.transition('Completed');
          this.disarm('A');
          this.disarm('B');
          this.ack = ackForNonSuccess(this.request as SipRequest, response);
          this.request = null;
          out.push({ type: 'response', txId: this.id, response });
          out.push({ type: 'send', message: this.ack, dest: this.dest });
          this.enterOrSkip(timerD(this.timers, this.reliable), now);
        }
        return;
      case 'Completed':
        // "Any retransmissions of the final response that are received while in the "Completed" state MUST
        // cause the ACK to be re-passed to the transport layer for retransmission, but the newly generated
        // ACK MUST NOT be passed up to the TU."
        if (status >= 300 && this.ack) out.push({ type: 'send', message: this.ack, dest: this.dest });
        return;
      case 'Accepted':
        // RFC 6026 §8.4: "Any 2xx responses that match this client transaction and that are received while
        // in the "Accepted" state MUST be passed up to the TU. The client transaction MUST NOT generate an
        // ACK to any 2xx response on its own."
        if (status >= 200 && status < 300) out.push({ type: 'response', txId: this.id, response });
        return;
      case 'Terminated':
        return;
    }
  }

  /**
   * The TU sent a CANCEL for this INVITE. §9.1: "If there is no final response for the original request
   * in 64*T1 seconds (T1 is defined in Section 17.1.1.1), the client SHOULD then consider the original
   * transaction cancelled and SHOULD destroy the client transaction handling the original request."
   * Without it, a callee that rang and then went silent would keep this transaction (in Proceeding, which
   * has no timer of its own) forever.
   */
  cancelled(now: number): void {
    if (this.state === 'Calling' || this.state === 'Proceeding')
      this.arm('X', now + transactionTimeout(this.timers));
  }

  onTransportError(out: LayerOutput[]): void {
    switch (this.state) {
      case 'Calling':
      case 'Proceeding':
        // §17.1.1.2: "If the client transaction receives a failure indication from the transport layer
        // ... the client transaction SHOULD inform the TU that a transport failure has occurred, and the
        // client transaction SHOULD transition directly to the "Terminated" state."
        this.transition('Terminated');
        this.request = null;
        out.push({ type: 'transport-error', txId: this.id });
        return;
      case 'Completed':
        // Only the ACK can have failed here. The TU already holds its one final response, so it is not
        // told twice; the server's Timer H covers the lost ACK.
        this.transition('Terminated');
        return;
      case 'Accepted':
        // RFC 6026: in Accepted the transaction sends nothing, so no send of its can fail; Timer M ends it.
        return;
      case 'Terminated':
        return;
    }
  }

  protected fire(timer: InviteClientTimer, at: number, out: LayerOutput[]): void {
    switch (timer) {
      case 'A':
        // "When timer A fires, the client transaction MUST retransmit the request by passing it to the
        // transport layer, and MUST reset the timer with a value of 2*T1. ... When timer A fires 2*T1 seconds
        // later, the request MUST be retransmitted again (assuming the client transaction is still in this
        // state). This process MUST continue so that the request is retransmitted with intervals that double
        // after each transmission."
        if (this.state !== 'Calling' || !this.request) return;
        out.push({ type: 'send', message: this.request, dest: this.dest, txId: this.id });
        this.intervalA *= 2;
        this.arm('A', at + this.intervalA);
        return;
      case 'B':
        // "If the client transaction is still in the "Calling" state when timer B fires, the client
        // transaction SHOULD inform the TU that a timeout has occurred. The client transaction MUST NOT
        // generate an ACK."
        if (this.state !== 'Calling') return;
        this.transition('Terminated');
        this.request = null;
        out.push({ type: 'timeout', txId: this.id });
        return;
      case 'X':
        // §9.1 (see cancelled()): no final response after the CANCEL: destroyed, as a timeout for the TU.
        if (this.state !== 'Calling' && this.state !== 'Proceeding') return;
        this.transition('Terminated');
        this.request = null;
        out.push({ type: 'timeout', txId: this.id });
        return;
      case 'D':
        // "If timer D fires while the client transaction is in the "Completed" state, the client
        // transaction MUST move to the terminated state."
        if (this.state === 'Completed') this.transition('Terminated');
        return;
      case 'M':
        // RFC 6026 §8.4: "If Timer M fires and the state machine is in the "Accepted" state, the machine
        // MUST transition to the "Terminated" state."
        if (this.state === 'Accepted') this.transition('Terminated');
        return;
    }
  }

  /** Timer D of zero (reliable transports) means Completed ends at once. */
  private enterOrSkip(duration: number, now: number): void {
    if (duration === 0) this.transition('Terminated');
    else this.arm('D', now + duration);
  }
}
