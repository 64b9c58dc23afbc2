import { createResponse, type SipRequest, type SipResponse } from '../message';
import { isReliable, type Endpoint } from '../transport/types';
import { hasMagicCookie, viaBranch } from './matching';
import { absorbTimer, transactionTimeout, type TimerValues } from './timers';
import { Transaction, type TransitionTable } from './transaction';
import type { InviteServerState, LayerOutput } from './types';

/** `Trying` is the 200 ms grace before the transaction sends 100 Trying itself. */
type InviteServerTimer = 'G' | 'H' | 'I' | 'L' | 'Trying';

const TRANSITIONS: TransitionTable<InviteServerState> = {
  Proceeding: ['Completed', 'Accepted', 'Terminated'],
  Completed: ['Confirmed', 'Terminated'],
  Confirmed: ['Terminated'],
  Accepted: ['Terminated'],
  Terminated: [],
};

/** RFC 3261 §17.2.1 as updated by RFC 6026 §7.1 and §8.5–8.7 (the Accepted state). */
export class InviteServerTransaction extends Transaction<InviteServerState, InviteServerTimer> {
  readonly kind = 'invite-server';
  private readonly reliable: boolean;
  private intervalG: number;
  private lastProvisional: SipResponse | undefined;
  /**
   * The non-2xx final response, for Timer G and INVITE retransmissions while Completed. Not kept in
   * Accepted (the TU retransmits its 2xx itself) nor in Confirmed (nothing is resent): a response held
   * through Timer L (32 s) would outlive the young generation and cost a full collection to reclaim.
   */
  lastFinal: SipResponse | undefined;
  /** The CSeq every response from the TU must echo. */
  readonly cseq: SipRequest['cseq'];
  /**
   * The INVITE, for the 100 Trying; null once a final response is sent, for the same reason as
   * `lastFinal`. An RFC 2543 transaction (no magic cookie) keeps it: its ACK keys are built from it.
   */
  request: SipRequest | null;
  private readonly keepRequest: boolean;

  constructor(
    id: string,
    request: SipRequest,
    /** Where responses go (RFC 3261 §18.2.2), worked out once from the request's top Via and source. */
    readonly dest: Endpoint,
    private readonly timers: TimerValues,
    private readonly trying100DelayMs: number,
  ) {
    super(id, 'Proceeding', TRANSITIONS, ['H', 'L', 'I', 'G', 'Trying']);
    this.request = request;
    this.cseq = request.cseq;
    this.keepRequest = !hasMagicCookie(viaBranch(request.topVia));
    this.reliable = isReliable(dest.protocol);
    this.intervalG = timers.T1;
  }

  start(now: number, out: LayerOutput[]): void {
    // "When a server transaction is constructed for a request, it enters the "Proceeding" state. The server
    // transaction MUST generate a 100 (Trying) response unless it knows that the TU will generate a
    // provisional or final response within 200 ms, in which case it MAY generate a 100 (Trying) response."
    if (this.trying100DelayMs <= 0) this.sendTrying(out);
    else this.arm('Trying', now + this.trying100DelayMs);
  }

  /** A retransmission of the INVITE (the layer has matched it to this transaction). */
  onRequest(out: LayerOutput[]): void {
    switch (this.state) {
      case 'Proceeding':
        // "If a request retransmission is received while in the "Proceeding" state, the most recent
        // provisional response that was received from the TU MUST be passed to the transport layer for
        // retransmission." With none yet, the retransmission shows the peer is waiting: quench it with the
        // 100 Trying the transaction owes anyway.
        if (this.lastProvisional) this.send(this.lastProvisional, out);
        else this.sendTrying(out);
        return;
      case 'Completed':
        // "while in the "Completed" state, if a request retransmission is received, the server SHOULD pass
        // the response to the transport for retransmission."
        if (this.lastFinal) this.send(this.lastFinal, out);
        return;
      case 'Confirmed':
        // "The purpose of the "Confirmed" state is to absorb any additional ACK messages that arrive" —
        // and any straggling INVITE retransmission with them.
        return;
      case 'Accepted':
        // RFC 6026 §7.1: "Any retransmission of the INVITE received while in the "Accepted" state MUST NOT be
        // passed to the TU" — the UAS core retransmits its 2xx itself.
        return;
      case 'Terminated':
        return;
    }
  }

  /** An ACK matched to this transaction. */
  onAck(ack: SipRequest, source: Endpoint, now: number, out: LayerOutput[]): void {
    switch (this.state) {
      case 'Completed': {
        // "If an ACK is received while the server transaction is in the "Completed" state, the server
        // transaction MUST transition to the "Confirmed" state. As Timer G is ignored in this state, any
        // retransmissions of the response will cease." ... "timer I is set to fire in T4 seconds for
        // unreliable transports, and zero seconds for reliable transports."
        this.transition('Confirmed');
        this.lastFinal = undefined;
        this.disarm('G');
        this.disarm('H');
        const i = absorbTimer(this.timers, this.reliable);
        if (i === 0) this.transition('Terminated');
        else this.arm('I', now + i);
        return;
      }
      case 'Accepted':
        // RFC 6026 §7.1: an ACK received in "Accepted" acknowledges a 2xx; it is passed to the TU.
        out.push({ type: 'ack', request: ack, source });
        return;
      case 'Confirmed':
        // Absorbed: "to absorb any additional ACK messages that arrive, triggered from retransmissions of
        // the final response".
        return;
      case 'Proceeding':
        // No final response was sent yet, so there is nothing for an ACK to acknowledge.
        return;
      case 'Terminated':
        return;
    }
  }

  /** A response from the TU; true when it was sent (false: too late, discarded). */
  respond(response: SipResponse, now: number, out: LayerOutput[]): boolean {
    const status = response.status;
    switch (this.state) {
      case 'Proceeding':
        this.disarm('Trying');
        if (status >= 200) this.finalSent();
        if (status < 200) {
          // "The TU passes any number of provisional responses to the server transaction. So long as the
          // server transaction is in the "Proceeding" state, each of these MUST be passed to the transport
          // layer for transmission."
          this.lastProvisional = response;
          this.send(response, out);
        } else if (status < 300) {
          // RFC 6026 §8.5: "If, while in the "Proceeding" state, the TU passes a 2xx response to the server
          // transaction, the server transaction MUST pass this response to the transport layer for
          // transmission. ... The server transaction MUST then transition to the "Accepted" state" and
          // start Timer L (64*T1).
          this.send(response, out);
          this.transition('Accepted');
          this.arm('L', now + transactionTimeout(this.timers));
        } else {
          // "While in the "Proceeding" state, if the TU passes a response with status code from 300 to 699
          // to the server transaction, the response MUST be passed to the transport layer for transmission,
          // and the state machine MUST enter the "Completed" state. For unreliable transports, timer G is
          // set to fire in T1 seconds ... When the "Completed" state is entered, timer H MUST be set to
          // fire in 64*T1 seconds for all transports."
          this.lastFinal = response;
          this.send(response, out);
          this.transition('Completed');
          if (!this.reliable) this.arm('G', now + this.intervalG);
          this.arm('H', now + transactionTimeout(this.timers));
        }
        return true;
      case 'Accepted':
        // RFC 6026 §8.6: "While in the "Accepted" state, if the TU passes a 2xx response, the server
        // transaction MUST pass the response to the transport layer for transmission." Anything else is
        // too late to mean anything.
        if (status < 200 || status >= 300) return false;
        this.send(response, out);
        return true;
      case 'Completed':
      case 'Confirmed':
        // The final response is already sent; a second one from the TU has no place in the transaction.
        return false;
      case 'Terminated':
        return false;
    }
  }

  onTransportError(out: LayerOutput[]): void {
    switch (this.state) {
      case 'Proceeding':
      case 'Completed':
      case 'Confirmed':
      case 'Accepted':
        // §17.2.4: if the response cannot be delivered, "the server transaction SHOULD inform the TU of a
        // failure, and SHOULD transition to the terminated state." (RFC 6026 adds the same arrow from
        // "Accepted".)
        this.transition('Terminated');
        out.push({ type: 'transport-error', txId: this.id });
        return;
      case 'Terminated':
        return;
    }
  }

  protected fire(timer: InviteServerTimer, at: number, out: LayerOutput[]): void {
    switch (timer) {
      case 'Trying':
        // The TU did not answer within the grace period: the transaction sends the 100 itself.
        if (this.state === 'Proceeding' && !this.lastProvisional) this.sendTrying(out);
        return;
      case 'G':
        // "If timer G fires, the response is passed to the transport layer once more for retransmission,
        // and timer G is set to fire in MIN(2*T1, T2) seconds. From then on, when timer G fires, the
        // response is passed to the transport again for transmission, and timer G is reset with a value
        // that doubles, unless that value exceeds T2, in which case it is reset with the value of T2."
        if (this.state !== 'Completed' || !this.lastFinal) return;
        this.send(this.lastFinal, out);
        this.intervalG = Math.min(2 * this.intervalG, this.timers.T2);
        this.arm('G', at + this.intervalG);
        return;
      case 'H':
        // "If timer H fires while in the "Completed" state, it implies that the ACK was never received. In
        // this case, the server transaction MUST transition to the "Terminated" state, and MUST indicate to
        // the TU that a transaction failure has occurred."
        if (this.state !== 'Completed') return;
        this.transition('Terminated');
        out.push({ type: 'ack-timeout', txId: this.id });
        return;
      case 'I':
        // "Once timer I fires, the server MUST transition to the "Terminated" state."
        if (this.state === 'Confirmed') this.transition('Terminated');
        return;
      case 'L':
        // RFC 6026 §7.1: "If Timer L fires while the INVITE server transaction is in the "Accepted" state,
        // the transaction MUST transition to the "Terminated" state."
        if (this.state === 'Accepted') this.transition('Terminated');
        return;
    }
  }

  private sendTrying(out: LayerOutput[]): void {
    this.disarm('Trying');
    if (!this.request) return;
    // §17.2.1: the To tag in a 100 "is downgraded from MAY to SHOULD NOT", so none is added.
    this.lastProvisional = createResponse(this.request, 100, 'Trying');
    this.send(this.lastProvisional, out);
  }

  /** Proceeding is over: provisionals are never resent again, and the INVITE is needed no more. */
  private finalSent(): void {
    this.lastProvisional = undefined;
    if (!this.keepRequest) this.request = null;
  }

  private send(message: SipResponse, out: LayerOutput[]): void {
    out.push({ type: 'send', message, dest: this.dest, txId: this.id });
  }
}
