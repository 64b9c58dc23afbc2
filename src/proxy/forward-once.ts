/**
 * Forwarding a request to one known next hop, statefully (RFC 3261 §16.6): in-dialog requests along the
 * route set, and inbound calls to the PBX. Responses come back through the same server transaction.
 */
import { createResponse, type SipRequest, type SipResponse } from '../sip/message';
import type { FinalResponse, RequestHooks, ServerTx } from '../sip/stack';
import type { Endpoint } from '../sip/transport/types';
import { cancelKey, type ProxyContext } from './context';

export interface ForwardOptions {
  /** The CSeq number the upstream side used, when the forwarded copy carries another (auth offsets). */
  readonly upstreamSeq: number | null;
  /** Called with the final response as forwarded upstream (a synthetic 408/503 when none came). */
  onFinal?(res: SipResponse): void;
  /** A 401/407 from downstream: return a re-authorised copy to send instead of forwarding the challenge. */
  onChallenge?(sent: SipRequest, res: SipResponse): SipRequest | null;
}

export function forwardOnce(
  ctx: ProxyContext,
  req: SipRequest,
  tx: ServerTx,
  out: SipRequest,
  dest: Endpoint,
  opts: ForwardOptions,
): void {
  const isInvite = req.method === 'INVITE';
  const key = isInvite ? cancelKey(req) : null;
  let cancelled = false;
  let finished = false;
  // §16.6 item 11 / §16.8: Timer C for an INVITE, set when it is forwarded and reset by every provisional;
  // when it fires the branch is CANCELled and the caller gets 408, so a PBX (or a region) that answers
  // 180 and then nothing cannot hold the call forever.
  let timerC: NodeJS.Timeout | null = null;
  const armTimerC = (): void => {
    if (!isInvite || finished) return;
    if (timerC) clearTimeout(timerC);
    timerC = setTimeout(onTimerC, ctx.proxy.timer_c_ms);
  };
  const onTimerC = (): void => {
    timerC = null;
    if (finished || cancelled) return;
    cancelled = true;
    ctx.log.info(
      { callId: req.callId, to: `${dest.address}:${dest.port}` },
      'Timer C fired: INVITE branch cancelled',
    );
    client.cancel();
    const own = createResponse(req, 408);
    ctx.respond(tx, own);
    done(own);
  };
  let client = ctx.stack.sendRequest(out, dest, hooks(out));
  armTimerC();
  ctx.sent(out.method);
  ctx.inflight(1);
  if (key) {
    ctx.invites.set(key, {
      cancel: () => {
        // §16.10: the CANCEL is answered 200 by the caller; the branch is cancelled and the INVITE gets 487.
        cancelled = true;
        client.cancel();
        ctx.respond(tx, createResponse(req, 487));
        done(null);
      },
    });
  }

  function hooks(sent: SipRequest): RequestHooks {
    return {
      // The caller pushed our Via (its branch and sent-by chosen per side); a second one from the stack
      // would stay on the response after we pop ours (RFC 3261 §16.6 item 8: one Via per hop).
      addVia: false,
      onProvisional: (res: SipResponse) => {
        if (cancelled) return;
        armTimerC();
        if (res.status !== 100) up(res);
      },
      onResponse: (res: SipResponse) => {
        ctx.counters?.in.response(res.status);
      },
      onFinal: (res) => onFinal(sent, res),
    };
  }

  function onFinal(sent: SipRequest, res: FinalResponse): void {
    if (cancelled) return;
    if (res.synthetic) {
      const own = createResponse(req, res.status === 408 ? 408 : 503);
      ctx.respond(tx, own);
      done(own);
      return;
    }
    if ((res.status === 401 || res.status === 407) && opts.onChallenge) {
      const again = opts.onChallenge(sent, res);
      if (again) {
        client = ctx.stack.sendRequest(again, dest, hooks(again));
        ctx.sent(again.method);
        return;
      }
    }
    up(res);
    done(res);
  }

  function up(res: SipResponse): void {
    const copy = res.clone();
    copy.headers.removeFirst('Via');
    if (opts.upstreamSeq !== null && copy.cseq.seq !== opts.upstreamSeq) {
      copy.headers.set('CSeq', `${opts.upstreamSeq} ${req.cseq.method}`);
    }
    ctx.respond(tx, copy);
  }

  function done(res: SipResponse | null): void {
    finished = true;
    if (timerC) clearTimeout(timerC);
    timerC = null;
    if (key) ctx.invites.delete(key);
    ctx.inflight(-1);
    if (res) opts.onFinal?.(res);
  }
}
