/**
 * One outbound call from the PBX: the failover chain's actions turned into SIP. Each attempt is a client
 * transaction of its own under the one server transaction the PBX sees (RFC 3261 §16.6: one branch at a
 * time, sequential search). The PBX gets provisionals of the attempt in progress and one final answer.
 *
 * Out-of-dialog non-INVITE requests from the PBX (MESSAGE, SUBSCRIBE, …) take the same path: the region
 * order, the Request-URI rewrite and the failover rules are the same; what differs is that no 1xx is
 * awaited (each attempt has a deadline of its own instead), nothing can be cancelled, and only SUBSCRIBE
 * and REFER create a dialog, so only they are Record-Routed.
 */
import { performance } from 'node:perf_hooks';
import { answerResponse } from '../sip/auth';
import { createResponse, detached, newBranch, type SipRequest, type SipResponse } from '../sip/message';
import type { ClientRequest, FinalResponse, RequestHooks, ServerTx } from '../sip/stack';
import { transportFailureText } from '../sip/transport';
import type { Endpoint } from '../sip/transport/types';
import { errorFactory } from '../errors/catalogue';
import { PROXY_ERRORS } from '../errors/proxy';
import { attemptsOf, type CallRecord, type CallResult } from './call-records';
import { cancelKey, type Cancellable, type ProxyContext } from './context';
import type { AttemptEnd, NextPolicy } from './decide-next';
import { decideCallSignal, decideLateAnswer } from './decide-signal';
import type { CallOutcome } from '../health/decide-health-types';
import { FailoverChain, type Attempt, type ChainAction } from './failover-chain';
import { buildLateAnswerRequest } from './late-answer';
import { loopBranch } from './loop-branch';
import { nonInviteDeadlineMs } from './defaults';
import { hopEndpoint } from './next-hop';
import type { RegionPlan } from './region-plan';

const err = errorFactory(PROXY_ERRORS);

interface Live {
  readonly req: SipRequest;
  readonly tx: ServerTx;
  readonly base: SipRequest;
}

/** What one attempt (one branch, RFC 3261 §16.6) holds: a call has one, or a few after failovers. */
interface Branch {
  client: ClientRequest | null;
  /** The request as sent to the region. */
  sent: SipRequest | null;
  /** Its final response. */
  response: SipResponse | null;
  /** Until the INVITE is answered (see keepOnlyRetransmissions). */
  hooks: AttemptHooks | null;
  /** The ACK sent for a late 2xx answer, resent when the 2xx is retransmitted. */
  releasedAck: { readonly ack: SipRequest; readonly dest: Endpoint } | null;
  seen2xx: boolean;
  /** Its final answer (real or synthetic) has come: nothing more will need its messages. */
  finished: boolean;
  /** Given up for silence, and its late answer already reported. */
  lateHeard: boolean;
}

function emptyBranch(): Branch {
  return {
    client: null,
    sent: null,
    response: null,
    hooks: null,
    releasedAck: null,
    seen2xx: false,
    finished: false,
    lateHeard: false,
  };
}

export class OutboundCall implements Cancellable {
  private readonly chain: FailoverChain;
  /**
   * By attempt id (1, 2, …): one small record per attempt rather than a Map or Set per kind of thing kept,
   * which every call allocated whether it failed over or not.
   */
  private readonly branches: Branch[] = [];
  private answered: Attempt | null = null;
  private closed = false;
  private depth = 0;
  private timer: NodeJS.Timeout | null = null;
  private timerAt: number | null = null;
  private last2xxIn = 0;
  private readonly key: string;
  /** Record-Route toward the PBX, when it differs from the one toward the region (RFC 5658 double RR). */
  private readonly pbxSideRR: string;
  /**
   * The PBX's INVITE, its server transaction and the forwarding base: needed until the call is closed,
   * and let go then (see shed()), as the stack holds this call until Timer M (32 s) for 2xx retransmissions.
   */
  private live: Live | null;
  private readonly callId: string;
  /** The PBX's CSeq number, which responses going upstream carry. */
  private readonly seq: number;
  /** The server transaction's respond alone: it holds no message, so 2xx retransmissions can go up late. */
  private readonly upstream: Pick<ServerTx, 'respond'>;
  private readonly method: string;
  private readonly invite: boolean;
  /** SUBSCRIBE and REFER create dialogs (RFC 6665, RFC 3515); their later requests must come through us. */
  private readonly createsDialog: boolean;

  constructor(
    private readonly ctx: ProxyContext,
    req: SipRequest,
    tx: ServerTx,
    source: Endpoint,
    private readonly plans: readonly RegionPlan[],
    /** The request as forwarded before per-region edits: routes processed, Max-Forwards decremented. */
    base: SipRequest,
    private readonly hash: string,
    /** The dialled number: the Request-URI's user part, kept for every region. */
    private readonly user: string,
    /** Null for a non-INVITE request: geo_calls records calls, not messages. */
    private readonly record: CallRecord | null,
    private readonly receivedAt: number,
    private readonly policy: NextPolicy,
  ) {
    this.method = req.method;
    this.invite = req.method === 'INVITE';
    this.createsDialog = this.invite || req.method === 'SUBSCRIBE' || req.method === 'REFER';
    // Held until Timer M (32 s): a copy, so the received INVITE's text can die young.
    this.callId = detached(req.callId);
    this.chain = new FailoverChain(
      this.callId,
      plans.map((p) => (this.invite ? p.chain : { ...p.chain, provisionalTimeoutMs: null, timerCMs: null })),
      policy,
    );
    this.key = cancelKey(req);
    this.pbxSideRR = ctx.own.side(source).recordRoute;
    this.live = { req, tx, base };
    this.seq = req.cseq.seq;
    // The stack's respond is an arrow that captures only the transaction id, not the request.
    this.upstream = { respond: tx.respond };
  }

  /** True once the call has its final answer upstream. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Only read before close: once the chain is done, it asks for nothing but releases (late 2xx). */
  private get req(): SipRequest {
    return (this.live as Live).req;
  }

  private get tx(): ServerTx {
    return (this.live as Live).tx;
  }

  private get base(): SipRequest {
    return (this.live as Live).base;
  }

  start(): void {
    this.ctx.invites.set(this.key, this);
    this.ctx.inflight(1);
    this.run(this.chain.start(Date.now()));
  }

  cancel(now: number): void {
    // §9.2: a CANCEL for a non-INVITE request is answered 200 and has no effect on it.
    if (!this.invite) return;
    this.run(this.chain.cancel(now));
  }

  private run(actions: readonly ChainAction[]): void {
    this.depth++;
    try {
      this.apply(actions);
    } finally {
      this.depth--;
    }
    // The stack keeps this call reachable through its hooks until Timer M (32 s) to pass 2xx
    // retransmissions up; let the messages of finished attempts go now so they die young.
    if (this.closed && this.depth === 0) this.shed();
  }

  private shed(): void {
    this.live = null;
    for (const b of this.branches) {
      if (!b?.finished) continue;
      b.sent = null;
      b.response = null;
      b.client = null;
    }
  }

  private branch(id: number): Branch {
    return (this.branches[id] ??= emptyBranch());
  }

  private apply(actions: readonly ChainAction[]): void {
    for (const act of actions) {
      switch (act.type) {
        case 'send':
          if (act.attempt.id > 1 && !act.attempt.auth) this.noteFailover(act.attempt, act.reason);
          this.send(act.attempt);
          break;
        case 'abandon':
          this.branches[act.attempt.id]?.client?.cancel();
          break;
        case 'forward':
          this.settle(act.attempt, this.branch(act.attempt.id).response as SipResponse);
          break;
        case 'give-up':
          this.giveUp(act.best, act.reason, act.status);
          break;
        case 'reply':
          this.ctx.respond(this.tx, createResponse(this.req, act.status));
          this.close(act.status, null, 'cancelled');
          break;
        case 'release':
          this.release(act.attempt);
          break;
        case 'outcome':
          this.signal(act.region, act.outcome, act.end, act.sentAt);
          break;
      }
    }
    this.arm();
  }

  private send(a: Attempt): void {
    const plan = this.plans[a.regionIndex] as RegionPlan;
    const dest = plan.endpoints[a.endpoint] as Endpoint;
    const out = this.base.clone();
    out.uri = this.user === '' ? `sip:${plan.uriSuffix.slice(1)}` : `sip:${this.user}${plan.uriSuffix}`;
    plan.rewrite?.(out);
    let side;
    try {
      side = this.ctx.own.side(dest);
    } catch {
      this.run(this.chain.failed(a.id, 'transport-error', Date.now()));
      return;
    }
    if (this.ctx.proxy.record_route && this.createsDialog) {
      // §16.6 item 4: our URI with ;lr, so the dialog's later requests come through us. Toward a PBX on
      // another transport or address, a second entry names the side it reaches us on (RFC 5658).
      if (this.pbxSideRR !== side.recordRoute) out.headers.prepend('Record-Route', this.pbxSideRR);
      out.headers.prepend('Record-Route', side.recordRoute);
    }
    if (a.auth && !this.addCredentials(a, plan, out)) return;
    // §16.6 item 8: our Via on top, its branch carrying the loop hash and unique per attempt.
    out.headers.prepend('Via', side.viaPrefix + loopBranch(this.hash, a.id));
    const branch = this.branch(a.id);
    branch.sent = out;
    const hooks: AttemptHooks = {
      addVia: false,
      onProvisional: (res) => this.onProvisional(a, res),
      onResponse: (res) => this.onResponse(a, res),
      onFinal: (res) => this.onFinal(a, res),
      // A synthetic 408 at this deadline ends the attempt as a timeout, as the provisional timer does for INVITE.
      ...(!this.invite && { timeoutMs: nonInviteDeadlineMs(plan.chain.provisionalTimeoutMs as number) }),
    };
    if (this.invite) branch.hooks = hooks;
    const client = this.ctx.stack.sendRequest(out, dest, hooks);
    this.ctx.sent(this.method);
    branch.client = client;
    if (a.id === 1 && this.invite)
      this.ctx.counters?.inviteLatency.observe((performance.now() - this.receivedAt) / 1000);
  }

  /** The answer to the previous attempt's 401/407 (RFC 3261 §22.2): same target, next CSeq, credentials. */
  private addCredentials(a: Attempt, plan: RegionPlan, out: SipRequest): boolean {
    const prev = this.chain.attempts[this.chain.attempts.length - 2] as Attempt;
    const prevSent = this.branch(prev.id).sent as SipRequest;
    const challenge = this.branch(prev.id).response as SipResponse;
    out.uri = prevSent.uri;
    const ans = plan.digest ? answerResponse(plan.digest, prevSent, challenge) : null;
    if (!ans || 'rejected' in ans) {
      this.ctx.log.warn(
        { region: plan.name, reason: ans && 'rejected' in ans ? ans.reason : 'no credentials' },
        'cannot answer the region challenge',
      );
      this.run(this.chain.final(a.id, challenge.status, challenge.reason, Date.now()));
      return false;
    }
    out.headers.set('CSeq', `${prevSent.cseq.seq + 1} ${this.method}`);
    for (const v of ans.values) out.headers.append(ans.header, v);
    return true;
  }

  private onProvisional(a: Attempt, res: SipResponse): void {
    if (this.invite) this.heard(a, res.status);
    if (a !== this.chain.current || this.chain.done) return;
    this.run(this.chain.provisional(a.id, Date.now()));
    // §16.7 item 5: provisionals other than 100 are forwarded upstream; 100 is hop by hop.
    if (res.status !== 100) this.forwardUp(res);
  }

  private onResponse(a: Attempt, res: SipResponse): void {
    this.ctx.counters?.in.response(res.status);
    // 2xx retransmissions exist for INVITE only (a non-INVITE transaction absorbs them).
    if (!this.invite || res.status < 200 || res.status >= 300) return;
    const branch = this.branch(a.id);
    if (!branch.seen2xx) {
      branch.seen2xx = true;
      this.last2xxIn = performance.now();
      return;
    }
    // RFC 6026 §8.4/§8.6: 2xx retransmissions reach the TU and a proxy forwards them; for a released
    // branch, the ACK is what the retransmission asks for.
    if (this.answered === a) this.forwardUp(res);
    const released = branch.releasedAck;
    if (released) this.ctx.stack.sendStateless(released.ack, released.dest);
  }

  private onFinal(a: Attempt, res: FinalResponse): void {
    const now = Date.now();
    const branch = this.branch(a.id);
    branch.finished = true;
    if (res.synthetic) {
      const kind = res.status === 408 ? 'timeout' : 'transport-error';
      const detail = kind === 'transport-error' && res.cause ? transportFailureText(res.cause) : undefined;
      this.run(this.chain.failed(a.id, kind, now, res.lostConnection, detail));
      return;
    }
    if (this.invite) this.heard(a, res.status);
    branch.response = res;
    this.run(this.chain.final(a.id, res.status, res.reason, now));
  }

  /**
   * The region answered this INVITE: noted for the silence rule (decide-signal.ts), and when the call had
   * already moved on from it for silence, the first such answer is the region's good news.
   */
  private heard(a: Attempt, status: number): void {
    this.ctx.inviteAnswers.set(a.region, Date.now());
    // Only an attempt given up for silence (no 1xx before it ended); a 487 after a CANCEL is no news.
    if (a.outcome !== 'timeout' || a.provisional) return;
    const branch = this.branch(a.id);
    if (branch.lateHeard) return;
    branch.lateHeard = true;
    const d = decideLateAnswer(status, this.policy);
    if (d.outcome) this.ctx.onCallOutcome?.(a.region, d.outcome);
  }

  private report(region: string, outcome: CallOutcome, detail: string | undefined): void {
    if (detail === undefined) this.ctx.onCallOutcome?.(region, outcome);
    else this.ctx.onCallOutcome?.(region, outcome, detail);
  }

  /** The passive health signal of an attempt's end; a silence only if the region answered nothing since. */
  private signal(region: string, outcome: CallOutcome, end: AttemptEnd, sentAt: number): void {
    const lost = end.kind === 'transport-error' ? end.connection : undefined;
    const detail = end.kind === 'transport-error' ? end.detail : undefined;
    if (end.kind !== 'timeout' && lost === undefined) {
      this.report(region, outcome, detail);
      return;
    }
    const d = decideCallSignal(
      {
        end,
        invite: this.invite,
        sentAt,
        regionAnsweredAt: this.ctx.inviteAnswers.get(region) ?? null,
        countedConnection: this.ctx.countedLosses.get(region) ?? null,
      },
      this.policy,
    );
    if (d.outcome && lost !== undefined) this.ctx.countedLosses.set(region, lost);
    if (d.outcome) this.report(region, d.outcome, detail);
    else if (this.ctx.log.isLevelEnabled('debug'))
      this.ctx.log.debug({ callId: this.callId, region, reason: d.reason }, 'silence not counted');
  }

  /** The response upstream: our Via off (§16.7 item 3), and the PBX's CSeq number back if auth moved it. */
  private forwardUp(res: SipResponse): void {
    forwardUpstream(this.ctx, this.upstream, this.seq, this.method, res);
  }

  /**
   * The stack keeps the answered branch's hooks until Timer M (32 s) for 2xx retransmissions, and those
   * hooks held this whole call: its chain, records and maps, promoted to the old generation with every call
   * and reclaimed only by full collections. After the answer they need the upstream transaction's respond,
   * the CSeq and the method, nothing else: the first 2xx was the answer, so every 2xx from here on is a
   * retransmission and goes up (RFC 6026 §8.4). Other branches keep theirs (a second 2xx is re-ACKed).
   */
  private keepOnlyRetransmissions(a: Attempt): void {
    const hooks = this.branch(a.id).hooks;
    for (const b of this.branches) if (b) b.hooks = null;
    if (!hooks) return;
    const { ctx, upstream, seq, method } = this;
    hooks.onProvisional = undefined;
    hooks.onFinal = undefined; // delivered: this answer is what the call is settling on
    hooks.onResponse = (res) => {
      ctx.counters?.in.response(res.status);
      if (res.status >= 200 && res.status < 300) forwardUpstream(ctx, upstream, seq, method, res);
    };
  }

  private settle(a: Attempt, res: SipResponse): void {
    if (res.status < 300) {
      this.answered = a;
      const sent = this.branch(a.id).sent as SipRequest;
      if (this.createsDialog)
        this.ctx.dialogs.add({
          // Held for the whole call, minutes in production: detached from the INVITE's text.
          callId: this.callId,
          pbxTag: this.req.fromTag === null ? null : detached(this.req.fromTag),
          offset: sent.cseq.seq - this.req.cseq.seq,
          region: a.region,
          record: this.record,
          touched: Date.now(),
        });
      this.forwardUp(res);
      if (this.invite) this.ctx.counters?.okLatency.observe((performance.now() - this.last2xxIn) / 1000);
      this.close(res.status, a.region, 'answered');
      this.keepOnlyRetransmissions(a);
      return;
    }
    this.forwardUp(res);
    this.close(res.status, a.region, 'rejected');
  }

  private giveUp(best: Attempt | null, reason: string, status: 408 | 503): void {
    const fields = { callId: this.req.callId, tried: this.chain.attempts.length, reason };
    const suppressed = this.ctx.allFailedLog.take(Date.now());
    if (suppressed === null) this.ctx.log.debug(fields, 'every region failed the call');
    else this.ctx.log.warn({ ...fields, alsoSince: suppressed }, 'every region failed the call');
    const res = best ? (this.branches[best.id]?.response ?? undefined) : undefined;
    if (res) {
      this.forwardUp(res);
      this.close(res.status, null, 'failed');
      return;
    }
    this.ctx.refuse(
      this.tx,
      this.req,
      err(status === 408 ? 'PROXY_NO_FINAL_ANSWER' : 'PROXY_NO_REGION', { reason }),
    );
    this.close(status, null, 'failed');
  }

  private close(status: number, region: string | null, result: CallResult): void {
    this.closed = true;
    this.ctx.invites.delete(this.key);
    this.ctx.inflight(-1);
    if (!this.record) return;
    this.record.attempts = attemptsOf(this.chain.attempts);
    this.ctx.recorder.settled(this.record, status, region, result, Date.now());
  }

  private noteFailover(a: Attempt, reason: string): void {
    const prev = this.chain.attempts[this.chain.attempts.length - 2] as Attempt;
    const cause = prev.status !== null ? String(prev.status) : (prev.outcome ?? 'unknown');
    this.ctx.metrics?.callFailovers.inc({ from: prev.region, to: a.region, cause });
    // One line per failover (the issue asks for it); per-message lines stay at debug.
    this.ctx.log.info(
      { callId: this.callId, method: this.method, from: prev.region, to: a.region, cause, reason },
      'call failover',
    );
  }

  /** ACK and BYE a 2xx nobody will use (see late-answer.ts). */
  private release(a: Attempt): void {
    // Only an INVITE's 2xx makes a dialog that must be hung up; a late answer to anything else is dropped.
    if (!this.invite) return;
    const branch = this.branch(a.id);
    const sent = branch.sent;
    const res = branch.response;
    if (!sent || !res) return;
    const ack = buildLateAnswerRequest('ACK', sent, res, this.ctx.own);
    const bye = buildLateAnswerRequest('BYE', sent, res, this.ctx.own);
    if (!ack || !bye) return;
    this.ctx.log.info(
      { callId: this.callId, region: a.region },
      'late answer from an abandoned region: ACK and BYE',
    );
    void hopEndpoint(ack.hop).then(
      (dest) => {
        ack.request.headers.prepend('Via', this.ctx.own.side(dest).viaPrefix + newBranch());
        this.ctx.stack.sendStateless(ack.request, dest);
        branch.releasedAck = { ack: ack.request, dest };
        this.ctx.stack.sendRequest(bye.request, dest); // its answer changes nothing: the branch is let go
        this.ctx.sent('ACK');
        this.ctx.sent('BYE');
      },
      (e: unknown) =>
        this.ctx.log.warn({ err: (e as Error).message, callId: this.callId }, 'cannot release a late answer'),
    );
  }

  private arm(): void {
    const at = this.chain.nextTimer();
    if (at === this.timerAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.timerAt = at;
    if (at === null) return;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.timerAt = null;
        // Timers run before the loop reads its sockets: after a stall of our own (a loaded machine), the
        // region's answer may be waiting unread. Judged after this turn's I/O, so our lag is not its silence.
        setImmediate(() => this.run(this.chain.onTimer(Date.now())));
      },
      Math.max(0, at - Date.now()),
    );
  }
}

type AttemptHooks = RequestHooks & { addVia: false; timeoutMs?: number };

/** A response upstream: our Via off (§16.7 item 3), and the PBX's CSeq number back if auth moved it. */
function forwardUpstream(
  ctx: ProxyContext,
  upstream: Pick<ServerTx, 'respond'>,
  seq: number,
  method: string,
  res: SipResponse,
): void {
  const up = res.clone();
  up.headers.removeFirst('Via');
  if (up.cseq.seq !== seq) up.headers.set('CSeq', `${seq} ${method}`);
  ctx.respond(upstream, up);
}
