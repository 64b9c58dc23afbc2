/**
 * RFC 3261 §16.10, a CANCEL with no response context: "the element does not have any knowledge of the
 * request to apply the CANCEL to. It MUST statelessly forward the CANCEL request (it may have statelessly
 * forwarded the associated request previously)."
 *
 * The CANCEL goes out with no client transaction. The stack has already opened a server transaction for it,
 * though, and such a transaction lives until it is answered; so the downstream answer, which comes back as
 * a stray response under our Via, is passed up through it, and one that never comes ends it with a 408
 * after Timer F.
 */
import { createResponse, type SipRequest, type SipResponse } from '../sip/message';
import type { ServerTx } from '../sip/stack';
import type { Endpoint } from '../sip/transport/types';
import type { ProxyContext } from './context';
import { TIMER_F_MS } from './defaults';
import { loopBranch, requestHash } from './loop-branch';

/** Stray CANCELs awaiting their answer; a flood beyond this is answered 481 at once instead. */
const MAX_PENDING = 10_000;

interface Pending {
  readonly req: SipRequest;
  readonly tx: ServerTx;
  readonly timer: NodeJS.Timeout;
}

export class StrayCancels {
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly ctx: ProxyContext) {}

  /** False when too many are pending: the caller answers 481 as if nothing could be forwarded. */
  get hasRoom(): boolean {
    return this.pending.size < MAX_PENDING;
  }

  /**
   * Sends `out` (the CANCEL prepared for forwarding, Request-URI set) to `dest`. The branch is a function
   * of the request alone, as §16.11 asks of a stateless proxy, so a retransmission gets the same one. It
   * is the branch the first attempt of the INVITE carried (the same hash, attempt 1), so a CANCEL for an
   * INVITE geored forwarded before a restart still matches that INVITE downstream.
   */
  forward(req: SipRequest, tx: ServerTx, out: SipRequest, dest: Endpoint): void {
    const branch = loopBranch(requestHash(req), 1);
    out.headers.prepend('Via', this.ctx.own.side(dest).viaPrefix + branch);
    if (!this.pending.has(branch)) {
      const timer = setTimeout(() => {
        const p = this.pending.get(branch);
        if (!p) return;
        this.pending.delete(branch);
        this.ctx.respond(p.tx, createResponse(p.req, 408));
      }, TIMER_F_MS);
      timer.unref();
      this.pending.set(branch, { req, tx, timer });
    }
    this.ctx.stack.sendStateless(out, dest);
    this.ctx.sent('CANCEL');
  }

  /** A stray response: true when it answers a CANCEL forwarded here (then passed up, our Via removed). */
  answer(res: SipResponse): boolean {
    if (res.cseq.method !== 'CANCEL') return false;
    const branch = res.topVia.params['branch'];
    const p = branch ? this.pending.get(branch) : undefined;
    if (!p || !branch) return false;
    if (res.status < 200) return true;
    clearTimeout(p.timer);
    this.pending.delete(branch);
    const up = res.clone();
    up.headers.removeFirst('Via');
    this.ctx.respond(p.tx, up);
    return true;
  }

  close(): void {
    for (const p of this.pending.values()) clearTimeout(p.timer);
    this.pending.clear();
  }
}
