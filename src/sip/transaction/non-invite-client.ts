import type { SipRequest, SipResponse } from '../message';
import { isReliable, type Endpoint } from '../transport/types';
import { absorbTimer, transactionTimeout, type TimerValues } from './timers';
import { Transaction, type TransitionTable } from './transaction';
import type { LayerOutput, NonInviteClientState } from './types';

type NonInviteClientTimer = 'E' | 'F' | 'K';

const TRANSITIONS: TransitionTable<NonInviteClientState> = {
  Trying: ['Proceeding', 'Completed', 'Terminated'],
  Proceeding: ['Completed', 'Terminated'],
  Completed: ['Terminated'],
  Terminated: [],
};

/** RFC 3261 §17.1.2: every request but INVITE and ACK (CANCEL included: it is its own transaction). */
export class NonInviteClientTransaction extends Transaction<NonInviteClientState, NonInviteClientTimer> {
  readonly kind = 'non-invite-client';
  private readonly reliable: boolean;
  private intervalE: number;
  /** The request, for Timer E; dropped in Completed, which only absorbs stray responses (Timer K). */
  private request: SipRequest | null;

  constructor(
    id: string,
    request: SipRequest,
    readonly dest: Endpoint,
    private readonly timers: TimerValues,
  ) {
    super(id, 'Trying', TRANSITIONS, ['F', 'K', 'E']);
    this.request = request;
    this.reliable = isReliable(dest.protocol);
    this.intervalE = timers.T1;
  }

  start(now: number, out: LayerOutput[]): void {
    // §17.1.2.2: "The "Trying" state is entered when the TU initiates a new client transaction with a
    // request. When entering this state, the client transaction SHOULD set timer F to fire in 64*T1
    // seconds. The request MUST be passed to the transport layer for transmission. If an unreliable
    // transport is in use, the client transaction MUST set timer E to fire in T1 seconds."
    if (this.request) out.push({ type: 'send', message: this.request, dest: this.dest, txId: this.id });
    if (!this.reliable) this.arm('E', now + this.intervalE);
    this.arm('F', now + transactionTimeout(this.timers));
  }

  onResponse(response: SipResponse, now: number, out: LayerOutput[]): void {
    const final = response.status >= 200;
    switch (this.state) {
      case 'Trying':
        if (!final) {
          // "If a provisional response is received while in the "Trying" state, the response MUST be passed
          // to the TU, and then the client transaction SHOULD move to the "Proceeding" state."
          out.push({ type: 'response', txId: this.id, response });
          this.transition('Proceeding');
          return;
        }
        // "If a final response (status codes 200-699) is received while in the "Trying" state, the response
        // MUST be passed to the TU, and the client transaction MUST transition to the "Completed" state."
        this.complete(response, now, out);
        return;
      case 'Proceeding':
        // "If a final response (status codes 200-699) is received while in the "Proceeding" state, the
        // response MUST be passed to the TU, and the client transaction MUST transition to the "Completed"
        // state." Further provisionals are passed up as well.
        if (!final) out.push({ type: 'response', txId: this.id, response });
        else this.complete(response, now, out);
        return;
      case 'Completed':
        // "The "Completed" state exists to buffer any additional response retransmissions that may be
        // received (which is why the client transaction remains there only for unreliable transports)."
        return;
      case 'Terminated':
        return;
    }
  }

  onTransportError(out: LayerOutput[]): void {
    switch (this.state) {
      case 'Trying':
      case 'Proceeding':
        // §17.1.4: "the client transaction SHOULD inform the TU that a transport failure has occurred, and
        // the client transaction SHOULD transition directly to the "Terminated" state."
        this.transition('Terminated');
        out.push({ type: 'transport-error', txId: this.id });
        return;
      case 'Completed':
        // Nothing is sent in Completed; the TU already has its final response.
        return;
      case 'Terminated':
        return;
    }
  }

  protected fire(timer: NonInviteClientTimer, at: number, out: LayerOutput[]): void {
    switch (timer) {
      case 'E':
        if (!this.request) return;
        switch (this.state) {
          case 'Trying':
            // "If timer E fires while still in this state, the timer is reset, but this time with a value of
            // MIN(2*T1, T2). When the timer fires again, it is reset to a MIN(4*T1, T2). This process
            // continues so that retransmissions occur with an exponentially increasing interval that caps at
            // T2."
            out.push({ type: 'send', message: this.request, dest: this.dest, txId: this.id });
            this.intervalE = Math.min(2 * this.intervalE, this.timers.T2);
            this.arm('E', at + this.intervalE);
            return;
          case 'Proceeding':
            // "If Timer E fires while in the "Proceeding" state, the request MUST be passed to the transport
            // layer for retransmission, and Timer E MUST be reset with a value of T2 seconds."
            out.push({ type: 'send', message: this.request, dest: this.dest, txId: this.id });
            this.arm('E', at + this.timers.T2);
            return;
          default:
            return;
        }
      case 'F':
        // "If Timer F fires while the client transaction is still in the "Trying" state, the client
        // transaction SHOULD inform the TU about the timeout, and then it SHOULD enter the "Terminated"
        // state." (The same holds in "Proceeding".)
        if (this.state !== 'Trying' && this.state !== 'Proceeding') return;
        this.transition('Terminated');
        out.push({ type: 'timeout', txId: this.id });
        return;
      case 'K':
        // "If Timer K fires while in this state, the client transaction MUST transition to the
        // "Terminated" state."
        if (this.state === 'Completed') this.transition('Terminated');
        return;
    }
  }

  private complete(response: SipResponse, now: number, out: LayerOutput[]): void {
    out.push({ type: 'response', txId: this.id, response });
    this.transition('Completed');
    this.request = null;
    this.disarm('E');
    this.disarm('F');
    // "Once the client transaction enters the "Completed" state, it MUST set Timer K to fire in T4 seconds
    // for unreliable transports, and zero seconds for reliable transports."
    const k = absorbTimer(this.timers, this.reliable);
    if (k === 0) this.transition('Terminated');
    else this.arm('K', now + k);
  }
}
