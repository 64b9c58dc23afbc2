/**
 * geored's call path: a transaction-stateful proxy (RFC 3261 §16) on a SipStack. Calls from the PBX go to
 * the best region with per-call failover (outbound-call.ts); calls from a region go to the PBX; in-dialog
 * requests follow the Record-Route; REGISTER from the PBX goes to the registrar. Out-of-dialog MESSAGE,
 * OPTIONS to a user, INFO, NOTIFY, SUBSCRIBE, PUBLISH and REFER are routed as calls are; a CANCEL that
 * matches nothing is forwarded statelessly (stray-cancel.ts).
 */
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import type { GeoredError } from '../errors/catalogue';
import { errorFactory } from '../errors/catalogue';
import { PROXY_ERRORS } from '../errors/proxy';
import { answerResponse } from '../sip/auth';
import {
  createResponse,
  detached,
  newBranch,
  parseUri,
  reasonPhrase,
  type SipRequest,
  type SipResponse,
} from '../sip/message';
import { LogLimiter, type ServerTx } from '../sip/stack';
import type { ScreenVerdict } from '../sip/stack/stack';
import type { Endpoint } from '../sip/transport/types';
import { endpointKey } from '../sip/transport/types';
import { CallRecorder } from './call-records';
import { cancelKey, type ProxyContext } from './context';
import { cseqDown, noteChallengeAnswered } from './cseq-offset';
import { DEFAULT_LIMITS } from './defaults';
import { DialogTable, type Dialog } from './dialogs';
import { forwardOnce } from './forward-once';
import { requestHash } from './loop-branch';
import { hopEndpoint, literalEndpoint } from './next-hop';
import { OutboundCall } from './outbound-call';
import { OwnAddresses } from './own-addresses';
import { markDialled, pbxRequestUri } from './pbx-target';
import { RegionPlans, type RegionPlan } from './region-plan';
import { nextHopUri, processRoutes } from './route-processing';
import { SipCounters } from './sip-counters';
import { StrayCancels } from './stray-cancel';
import type { ProxyLimits, SipProxyOptions, SourceClass } from './types';
import { checkRequest, detectLoop } from './validate-request';

const err = errorFactory(PROXY_ERRORS);

const ALLOW =
  'INVITE, ACK, CANCEL, BYE, OPTIONS, REGISTER, UPDATE, PRACK, INFO, REFER, NOTIFY, MESSAGE, SUBSCRIBE, PUBLISH';

const DROP = { drop: true } as const;
const FORBIDDEN = { status: 403 } as const;

/** Out-of-dialog requests routed like an INVITE: a trunk carries them to and from the PBX as it does calls. */
const ROUTED = new Set(['INVITE', 'MESSAGE', 'OPTIONS', 'INFO', 'NOTIFY', 'SUBSCRIBE', 'PUBLISH', 'REFER']);

export class SipProxy {
  private readonly ctx: ProxyContext;
  private readonly limits: ProxyLimits;
  private readonly sweeper: NodeJS.Timeout;
  private readonly strays: StrayCancels;
  private inflightCount = 0;
  private closed = false;

  constructor(private readonly opts: SipProxyOptions) {
    this.limits = { ...DEFAULT_LIMITS, ...opts.limits };
    const stack = opts.stack;
    const metrics = opts.metrics;
    const log = opts.logger ?? pino({ enabled: false });
    this.ctx = {
      stack,
      own: new OwnAddresses(stack.endpoints(), (p, toward) => stack.localEndpoint(p, toward)),
      proxy: opts.config.proxy,
      plans: new RegionPlans(opts.regions, opts.config.proxy),
      dialogs: new DialogTable(this.limits.maxDialogs, this.limits.dialogIdleMs),
      recorder: new CallRecorder(opts.store, metrics, log, {
        flushMs: this.limits.recordFlushMs,
        batch: this.limits.recordBatch,
        maxRows: this.limits.maxCallRows,
        ...(opts.onCallsRecorded ? { onRecorded: opts.onCallsRecorded } : {}),
        maxSpooled: this.limits.maxSpooledRecords,
        retryMs: this.limits.recordRetryMs,
        ...(opts.callJournal ? { journal: opts.callJournal } : {}),
      }),
      counters: metrics ? new SipCounters(metrics) : null,
      metrics,
      log,
      allFailedLog: new LogLimiter(60_000),
      onCallOutcome: opts.onCallOutcome,
      invites: new Map(),
      inviteAnswers: new Map(),
      countedLosses: new Map(),
      respond: (tx, res) => {
        try {
          tx.respond(res);
          this.ctx.counters?.out.response(res.status);
        } catch (e) {
          // The server transaction ended (Timer L after a 2xx): nothing upstream waits any more.
          log.debug({ err: (e as Error).message }, 'response after the server transaction ended');
        }
      },
      refuse: (tx, req, e) => this.refuse(tx, req, e),
      sent: (method) => this.ctx.counters?.out.request(method),
      inflight: (delta) => {
        this.inflightCount += delta;
        metrics?.transactions.set(this.inflightCount);
      },
    };
    this.strays = new StrayCancels(this.ctx);
    stack.onScreen((req, source) => this.screen(req, source));
    stack.onRequest((req, tx, source) => this.onRequest(req, tx, source));
    stack.onAck((req, source) => this.onAck(req, source));
    stack.onStrayResponse((res) => this.onStray(res));
    this.sweeper = setInterval(() => this.ctx.dialogs.sweep(Date.now()), 60_000);
    this.sweeper.unref();
  }

  /** Dialogs currently remembered (for tests and the API). */
  get dialogCount(): number {
    return this.ctx.dialogs.size;
  }

  /** Writes pending call records. */
  flushRecords(): Promise<void> {
    return this.ctx.recorder.flush();
  }

  /** Stops the housekeeping timer and writes pending records; the stack is the owner's to close. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.sweeper);
    this.strays.close();
    await this.ctx.recorder.flush();
  }

  /**
   * Before any transaction: strangers are refused statelessly (one 403, never retransmitted) or in
   * silence, and banned brute-forcers get what security.auth_failures.banned_response says. Only a
   * REGISTER may come from an unknown source, and only to a registrar that checks digest credentials.
   */
  private screen(req: SipRequest, source: Endpoint): ScreenVerdict {
    const from = this.opts.classify(source);
    const registrar = this.opts.registrar;
    const toRegistrar =
      req.method === 'REGISTER' &&
      registrar !== undefined &&
      (from.kind === 'pbx' || (from.kind === 'unknown' && registrar.authenticates));
    const challenged =
      from.kind === 'pbx' &&
      registrar?.challengesRequests === true &&
      req.toTag === null &&
      ROUTED.has(req.method);
    if ((toRegistrar || challenged) && registrar?.screen) {
      const s = registrar.screen(req, source);
      if (s.verdict === 'pass') return undefined;
      this.opts.metrics?.sipRefused.inc({ reason: 'banned', response: s.verdict });
      return s.verdict === 'silence' ? DROP : { status: s.status };
    }
    if (from.kind !== 'unknown' || toRegistrar) return undefined;
    const style = this.opts.config.security?.unknown_source_response ?? 'reject';
    if (req.method !== 'ACK')
      this.opts.metrics?.sipRefused.inc({ reason: 'unknown_source', response: style });
    return style === 'silence' || req.method === 'ACK' ? DROP : FORBIDDEN;
  }

  private onRequest(req: SipRequest, tx: ServerTx, source: Endpoint): void {
    this.ctx.counters?.in.request(req.method);
    const from = this.opts.classify(source);
    // A PBX is known by its address only once it has registered; its digest credentials are what let the
    // first REGISTER in, so a REGISTER from an unknown source goes to a registrar that authenticates.
    if (from.kind === 'unknown' && req.method === 'REGISTER' && this.opts.registrar?.authenticates) {
      this.opts.registrar.handle(req, tx, source);
      return;
    }
    if (from.kind === 'unknown') {
      this.refuse(
        tx,
        req,
        err('PROXY_FORBIDDEN_SOURCE', { method: req.method, source: endpointKey(source) }),
      );
      return;
    }
    // §16.3 before anything is routed: a malformed request (CSeq: 1 BYE on an INVITE, Max-Forwards: abc)
    // is answered here, so no region ever sees it and none is blamed for what it does with it.
    if (req.method !== 'REGISTER') {
      const bad = checkRequest(req);
      if (bad) return this.refuse(tx, req, bad);
    }
    if (req.method === 'CANCEL') return this.onCancel(req, tx, from, source);
    if (req.toTag !== null) return this.inDialog(req, tx);
    switch (req.method) {
      case 'REGISTER':
        if (from.kind === 'pbx' && this.opts.registrar) this.opts.registrar.handle(req, tx, source);
        else
          this.refuse(
            tx,
            req,
            err('PROXY_REGISTER_NOT_ACCEPTED', {
              source: endpointKey(source),
              reason:
                from.kind === 'pbx'
                  ? 'no PBX registration is configured'
                  : 'only the PBX registers to geored',
            }),
          );
        return;
      case 'OPTIONS':
        if (
          this.ctx.own.isAddressedToUs(req) ||
          req.requestUri.kind !== 'sip' ||
          req.requestUri.user === null
        ) {
          const res = createResponse(req, 200);
          res.headers.append('Allow', ALLOW);
          res.headers.append('Accept', 'application/sdp');
          this.ctx.respond(tx, res);
          return;
        }
        break;
    }
    if (!ROUTED.has(req.method)) {
      this.refuse(tx, req, err('PROXY_METHOD_NOT_ROUTED', { method: req.method }));
      return;
    }
    if (from.kind === 'pbx') {
      const registrar = this.opts.registrar;
      if (registrar?.challengesRequests && registrar.checkRequest) {
        const ok = registrar.checkRequest(req, source, (res) => this.ctx.respond(tx, res));
        if (!ok) return;
      }
      this.outbound(req, tx, source);
    } else this.inbound(req, tx, from);
  }

  /** An INVITE (or another routed request) from the PBX: to the regions in order, with per-call failover. */
  private outbound(req: SipRequest, tx: ServerTx, source: Endpoint): void {
    const t0 = performance.now();
    const hash = requestHash(req);
    const bad = detectLoop(req, this.ctx.own, hash);
    if (bad) return this.refuse(tx, req, bad);
    const invite = req.method === 'INVITE';
    const now = Date.now();
    const fromUri = safeUri(req, 'From');
    const toUri = safeUri(req, 'To');
    const decision = this.opts.router({ callId: req.callId, fromUri, toUri, requestUri: req.uri, source });
    const plans = this.ctx.plans.current();
    const ordered: RegionPlan[] = [];
    for (const name of decision.order) {
      const p = plans.get(name);
      // A region with no resolved target cannot be tried; the chain would count it as failed anyway.
      if (p && p.endpoints.length > 0) ordered.push(p);
    }
    // The record outlives the request (the batch, the event log, the dialog): copies of its strings, so
    // they do not hold the received INVITE's text.
    const record = invite
      ? this.ctx.recorder.open(
          detached(req.callId),
          'outbound',
          detached(fromUri),
          detached(toUri),
          now,
          decision.reason,
        )
      : null;
    const call = new OutboundCall(
      this.ctx,
      req,
      tx,
      source,
      ordered,
      this.prepare(req),
      hash,
      dialledUser(req),
      record,
      t0,
      {
        failoverCodes: this.opts.config.proxy.failover_codes,
        failover6xx: this.opts.config.proxy.failover_6xx,
      },
    );
    call.start();
    // §16.2: a stateful proxy sends 100 Trying at once for an INVITE (the PBX stops retransmitting); a
    // non-INVITE gets none (RFC 4320 §4.1: a 100 to a non-INVITE helps nobody). "At once" is after the
    // INVITE has gone on: the 100 only quiets the PBX's 500 ms retransmission timer, while every
    // microsecond before the INVITE leaves is added to the call's setup. A call that ended already (no
    // region to try: answered 503 in start) gets none.
    if (invite && !call.isClosed) this.ctx.respond(tx, createResponse(req, 100));
  }

  /** An INVITE (or another routed request) from a region: to the PBX's registered contact, or its address. */
  private inbound(req: SipRequest, tx: ServerTx, from: Extract<SourceClass, { kind: 'region' }>): void {
    const hash = requestHash(req);
    const bad = detectLoop(req, this.ctx.own, hash);
    if (bad) return this.refuse(tx, req, bad);
    const contact = this.opts.registrar?.currentContact() ?? null;
    const fixed = this.opts.config.pbx.address;
    const dest: Endpoint | null = contact?.endpoint ?? (fixed ? { ...fixed } : null);
    if (!dest) return this.refuse(tx, req, err('PROXY_NO_PBX_CONTACT', { region: from.region }));
    const invite = req.method === 'INVITE';
    const createsDialog = invite || req.method === 'SUBSCRIBE' || req.method === 'REFER';
    if (invite) this.ctx.respond(tx, createResponse(req, 100));
    const out = this.prepare(req);
    const user = dialledUser(req);
    out.uri = pbxRequestUri(user, contact?.uri ?? null, dest);
    markDialled(out, req.uri, user, {
      didHeader: this.opts.config.proxy.did_header,
      historyInfo: this.opts.config.proxy.history_info,
    });
    const side = this.ctx.own.side(dest);
    if (this.opts.config.proxy.record_route && createsDialog)
      out.headers.prepend('Record-Route', side.recordRoute);
    out.headers.prepend('Via', side.viaPrefix + newBranch());
    if (!invite) {
      // Not a call: no record; a 2xx to SUBSCRIBE/REFER is remembered so the dialog's requests find us.
      forwardOnce(this.ctx, req, tx, out, dest, {
        upstreamSeq: null,
        onFinal: (res) => {
          if (createsDialog && res.status < 300)
            this.ctx.dialogs.add({
              callId: req.callId,
              pbxTag: null,
              offset: 0,
              region: from.region,
              record: null,
              touched: Date.now(),
            });
        },
      });
      return;
    }
    const record = this.ctx.recorder.open(
      detached(req.callId),
      'inbound',
      detached(safeUri(req, 'From')),
      detached(safeUri(req, 'To')),
      Date.now(),
    );
    const startedAt = Date.now();
    forwardOnce(this.ctx, req, tx, out, dest, {
      upstreamSeq: null,
      onFinal: (res) => {
        const now = Date.now();
        const status = res.status;
        record.attempts = [
          {
            region: from.region,
            status,
            reason: res.reason,
            outcome: status < 300 ? 'answered' : status === 487 ? 'cancelled' : 'failed',
            started_at: new Date(startedAt),
            ended_at: new Date(now),
          },
        ];
        if (status < 300) {
          this.ctx.dialogs.add({
            callId: req.callId,
            pbxTag: null,
            offset: 0,
            region: from.region,
            record,
            touched: now,
          });
        }
        this.ctx.recorder.settled(
          record,
          status,
          from.region,
          status < 300 ? 'answered' : status === 487 ? 'cancelled' : 'rejected',
          now,
        );
      },
    });
  }

  /** §16.10: CANCEL is answered here and applied to the INVITE in progress, or forwarded statelessly. */
  private onCancel(req: SipRequest, tx: ServerTx, from: SourceClass, source: Endpoint): void {
    const target = this.ctx.invites.get(cancelKey(req));
    if (target) {
      this.ctx.respond(tx, createResponse(req, 200));
      target.cancel(Date.now());
      return;
    }
    const out = this.prepare(req);
    // Where the INVITE would have gone: the Route set if any, else the first region in the routing order
    // (from the PBX) or the PBX (from a region), with the Request-URI the INVITE's first attempt carried.
    let dest: Endpoint | Promise<Endpoint> | null = null;
    if (out.headers.has('Route')) {
      dest = hopEndpoint(nextHopUri(out));
    } else if (from.kind === 'pbx') {
      const plans = this.ctx.plans.current();
      const decision = this.opts.router({
        callId: req.callId,
        fromUri: safeUri(req, 'From'),
        toUri: safeUri(req, 'To'),
        requestUri: req.uri,
        source,
      });
      const plan = decision.order.map((n) => plans.get(n)).find((p) => p && p.endpoints.length > 0);
      if (plan) {
        const user = dialledUser(req);
        out.uri = user === '' ? `sip:${plan.uriSuffix.slice(1)}` : `sip:${user}${plan.uriSuffix}`;
        plan.rewrite?.(out);
        dest = plan.endpoints[0] as Endpoint;
      }
    } else {
      const contact = this.opts.registrar?.currentContact() ?? null;
      const fixed = this.opts.config.pbx.address;
      const pbx: Endpoint | null = contact?.endpoint ?? (fixed ? { ...fixed } : null);
      if (pbx) {
        out.uri = pbxRequestUri(dialledUser(req), contact?.uri ?? null, pbx);
        dest = pbx;
      }
    }
    if (!dest || !this.strays.hasRoom) {
      // Nowhere it could go: the CANCEL matches nothing here, and nothing downstream can be found either.
      this.refuse(tx, req, err('PROXY_NO_TRANSACTION', { method: 'CANCEL' }));
      return;
    }
    const send = (to: Endpoint): void => this.strays.forward(req, tx, out, to);
    if (!(dest instanceof Promise)) return send(dest);
    dest.then(send, (e: unknown) =>
      this.refuse(
        tx,
        req,
        err('PROXY_UNROUTABLE', { method: 'CANCEL', uri: nextHopUri(out), reason: (e as Error).message }),
      ),
    );
  }

  /** A request inside a dialog (To tag present): along the route set, CSeq shifted when auth moved it. */
  private inDialog(req: SipRequest, tx: ServerTx): void {
    const out = this.prepare(req);
    const bad = detectLoop(out, this.ctx.own, null, out.headers.has('Route'));
    if (bad) return this.refuse(tx, req, bad);
    const now = Date.now();
    const dialog = this.ctx.dialogs.get(req.callId, now);
    const seq = req.cseq.seq;
    const down = dialog ? cseqDown(dialog, req.fromTag, seq) : seq;
    if (down !== seq) out.headers.set('CSeq', `${down} ${req.method}`);
    const hop = nextHopUri(out);
    let dest: Endpoint | null;
    try {
      dest = literalEndpoint(hop);
    } catch (e) {
      return this.refuse(
        tx,
        req,
        err('PROXY_UNROUTABLE', { method: req.method, uri: hop, reason: (e as Error).message }),
      );
    }
    const go = (to: Endpoint): void => {
      out.headers.prepend('Via', this.ctx.own.side(to).viaPrefix + newBranch());
      const fromPbx = dialog !== undefined && req.fromTag !== null && req.fromTag === dialog.pbxTag;
      const plan = fromPbx && dialog?.region ? this.ctx.plans.get(dialog.region) : undefined;
      let answered = false;
      forwardOnce(this.ctx, req, tx, out, to, {
        upstreamSeq: down !== seq ? seq : null,
        onFinal: req.method === 'BYE' ? () => this.ended(dialog, req.callId) : undefined,
        onChallenge:
          plan?.digest && dialog
            ? (sent, res) => {
                if (answered) return null;
                answered = true;
                return this.reauthorise(sent, res, plan, dialog);
              }
            : undefined,
      });
    };
    if (dest) return go(dest);
    hopEndpoint(hop).then(go, (e: unknown) =>
      this.refuse(
        tx,
        req,
        err('PROXY_UNROUTABLE', { method: req.method, uri: hop, reason: (e as Error).message }),
      ),
    );
  }

  /** A region challenged a PBX-side in-dialog request: answer once; the dialog's CSeq offset grows by one. */
  private reauthorise(
    sent: SipRequest,
    res: SipResponse,
    plan: RegionPlan,
    dialog: Dialog,
  ): SipRequest | null {
    const ans = plan.digest ? answerResponse(plan.digest, sent, res) : null;
    if (!ans || 'rejected' in ans) return null;
    const again = sent.clone();
    // A new transaction: our Via again, with a fresh branch (§8.1.1.7).
    const top = again.headers.getAll('Via')[0] as string;
    again.headers.removeFirst('Via');
    again.headers.prepend('Via', top.slice(0, top.indexOf(';branch=') + 8) + newBranch());
    again.headers.set('CSeq', `${sent.cseq.seq + 1} ${sent.method}`);
    for (const v of ans.values) again.headers.append(ans.header, v);
    noteChallengeAnswered(dialog);
    return again;
  }

  private ended(dialog: Dialog | undefined, callId: string): void {
    if (dialog?.record) this.ctx.recorder.ended(dialog.record, Date.now());
    this.ctx.dialogs.delete(callId);
  }

  /** An ACK for a 2xx (RFC 6026: no transaction): forwarded statelessly along the route set (§16.11). */
  private onAck(req: SipRequest, source: Endpoint): void {
    this.ctx.counters?.in.request('ACK');
    if (this.opts.classify(source).kind === 'unknown') return;
    if (checkRequest(req)) return;
    const out = this.prepare(req);
    // Addressed to us with no route onward: it would loop (§16.4); an ACK is never answered, so dropped.
    if (detectLoop(out, this.ctx.own, null, out.headers.has('Route'))) return;
    const dialog = this.ctx.dialogs.get(req.callId, Date.now());
    if (dialog) {
      const down = cseqDown(dialog, req.fromTag, req.cseq.seq);
      if (down !== req.cseq.seq) out.headers.set('CSeq', `${down} ACK`);
    }
    const hop = nextHopUri(out);
    const send = (to: Endpoint): void => {
      out.headers.prepend('Via', this.ctx.own.side(to).viaPrefix + newBranch());
      this.ctx.stack.sendStateless(out, to);
      this.ctx.sent('ACK');
    };
    try {
      const dest = literalEndpoint(hop);
      if (dest) return send(dest);
    } catch {
      return;
    }
    hopEndpoint(hop).then(send, () => undefined);
  }

  /**
   * §16.7 / §18.1.2: a response that matches no client transaction. Only the answers to CANCELs geored
   * forwarded statelessly are relayed (their branch is remembered in StrayCancels); anything else is
   * dropped: a Via naming geored proves nothing (anyone can write one), and relaying it would make geored
   * a reflector for responses from anywhere.
   */
  private onStray(res: SipResponse): void {
    this.ctx.counters?.in.response(res.status);
    if (this.strays.answer(res)) return;
    this.opts.metrics?.strayResponsesDropped.inc();
    if (this.opts.logger.isLevelEnabled('debug'))
      this.opts.logger.debug({ status: res.status }, 'stray response dropped: no transaction of ours');
  }

  /** The copy every forward starts from: §16.6 items 1, 3 and 6 (copy, Max-Forwards, Route processing). */
  private prepare(req: SipRequest): SipRequest {
    const out = req.clone();
    processRoutes(out, this.ctx.own);
    // Lowered to the configured maximum as Kamailio's maxfwd max_limit does: however high a peer starts
    // it, a loop through geored ends within max_forwards hops.
    const limit = this.opts.config.proxy.max_forwards;
    const mf = req.maxForwards;
    out.headers.set('Max-Forwards', String(mf === null ? limit : Math.min(mf - 1, limit)));
    return out;
  }

  private refuse(tx: ServerTx, req: SipRequest, e: GeoredError): void {
    const status = e.sip ?? 500;
    const res = createResponse(req, status, reasonPhrase(status));
    res.headers.append('Warning', `399 geored "${e.message.replace(/["\\]/g, "'")}"`);
    if (e.code === 'PROXY_BAD_EXTENSION') res.headers.append('Unsupported', String(e.params.extensions));
    if (this.opts.logger.isLevelEnabled('debug'))
      this.opts.logger.debug({ code: e.code, callId: safeCallId(req) }, 'request refused');
    this.ctx.respond(tx, res);
  }
}

/** The dialled number: the Request-URI's user part (a tel: URI's number), else the To URI's user. */
function dialledUser(req: SipRequest): string {
  const u = req.requestUri;
  if (u.kind === 'sip' && u.user !== null) return u.user;
  if (u.kind === 'tel') return u.number;
  try {
    const to = parseUri(req.to.uri);
    if (to.kind === 'sip' && to.user !== null) return to.user;
  } catch {
    // fall through: no user part anywhere
  }
  return '';
}

function safeUri(req: SipRequest, header: 'From' | 'To'): string {
  try {
    return header === 'From' ? req.from.uri : req.to.uri;
  } catch {
    return req.headers.get(header) ?? '';
  }
}

function safeCallId(req: SipRequest): string | undefined {
  try {
    return req.callId;
  } catch {
    return undefined;
  }
}

export function createSipProxy(opts: SipProxyOptions): SipProxy {
  return new SipProxy(opts);
}
