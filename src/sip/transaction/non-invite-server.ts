import type { SipRequest, SipResponse } from '../message';
import { isReliable, type Endpoint } from '../transport/types';
import { timerJ, type TimerValues } from './timers';
import { Transaction, type TransitionTable } from './transaction';
import type { LayerOutput, NonInviteServerState } from './types';

type NonInviteServerTimer = 'J';

const TRANSITIONS: TransitionTable<NonInviteServerState> = {
  Trying: ['Proceeding', 'Completed', 'Terminated'],
  Proceeding: ['Completed', 'Terminated'],
  Completed: ['Terminated'],
  Terminated: [],
};

/** RFC 3261 §17.2.2. */
export class NonInviteServerTransaction extends Transaction<NonInviteServerState, NonInviteServerTimer> {
  readonly kind = 'non-invite-server';
  private readonly reliable: boolean;
  private lastResponse: SipResponse | undefined;
  /**
   * The CSeq every response from the TU must echo: all the transaction needs of its request, which the TU
   * already holds; keeping the request itself through Timer J (32 s) would only burden the old generation.
   */
  readonly cseq: SipRequest['cseq'];

  constructor(
    id: string,
    request: SipRequest,
    /** Where responses go (RFC 3261 §18.2.2). */
    readonly dest: Endpoint,
    private readonly timers: TimerValues,
  ) {
    // "The state machine is initialized in the "Trying" state and is passed a request other than INVITE or
    // ACK when initialized. This request is passed up to the TU."
    super(id, 'Trying', TRANSITIONS, ['J']);
    this.cseq = request.cseq;
    this.reliable = isReliable(dest.protocol);
  }

  /** A retransmission of the request. */
  onRequest(out: LayerOutput[]): void {
    switch (this.state) {
      case 'Trying':
        // "Once in the "Trying" state, any further request retransmissions are discarded."
        return;
      case 'Proceeding':
        // "If a retransmission of the request is received while in the "Proceeding" state, the most
        // recently sent provisional response MUST be passed to the transport layer for retransmission."
        if (this.lastResponse) this.send(this.lastResponse, out);
        return;
      case 'Completed':
        // "While in the "Completed" state, the server transaction MUST pass the final response to the
        // transport layer for retransmission whenever a retransmission of the request is received."
        if (this.lastResponse) this.send(this.lastResponse, out);
        return;
      case 'Terminated':
        return;
    }
  }

  /** A response from the TU; true when it was sent (false: too late, discarded). */
  respond(response: SipResponse, now: number, out: LayerOutput[]): boolean {
    const final = response.status >= 200;
    switch (this.state) {
      case 'Trying':
      case 'Proceeding':
        this.lastResponse = response;
        this.send(response, out);
        if (!final) {
          // "While in the "Trying" state, if the TU passes a provisional response to the server
          // transaction, the server transaction MUST enter the "Proceeding" state." ... "Any further
          // provisional responses that are received from the TU while in the "Proceeding" state MUST be
          // passed to the transport layer for transmission."
          if (this.state === 'Trying') this.transition('Proceeding');
          return true;
        }
        // "If the TU passes a final response (status codes 200-699) to the server while in the "Proceeding"
        // state, the transaction MUST enter the "Completed" state ... When the server transaction enters the
        // "Completed" state, it MUST set Timer J to fire in 64*T1 seconds for unreliable transports, and zero
        // seconds for reliable transports."
        this.transition('Completed');
        {
          const j = timerJ(this.timers, this.reliable);
          if (j === 0) this.transition('Terminated');
          else this.arm('J', now + j);
        }
        return true;
      case 'Completed':
        // "Any other final responses passed by the TU to the server transaction MUST be discarded while in
        // the "Completed" state."
        return false;
      case 'Terminated':
        return false;
    }
  }

  onTransportError(out: LayerOutput[]): void {
    switch (this.state) {
      case 'Trying':
      case 'Proceeding':
      case 'Completed':
        // §17.2.4: "the server transaction SHOULD inform the TU of a failure, and SHOULD transition to the
        // terminated state."
        this.transition('Terminated');
        out.push({ type: 'transport-error', txId: this.id });
        return;
      case 'Terminated':
        return;
    }
  }

  protected fire(timer: NonInviteServerTimer): void {
    switch (timer) {
      case 'J':
        // "The server transaction remains in this state until Timer J fires, at which point it MUST
        // transition to the "Terminated" state."
        if (this.state === 'Completed') this.transition('Terminated');
        return;
    }
  }

  private send(message: SipResponse, out: LayerOutput[]): void {
    out.push({ type: 'send', message, dest: this.dest, txId: this.id });
  }
}
