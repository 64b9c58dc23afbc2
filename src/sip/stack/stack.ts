import pino, { type Logger } from 'pino';
import type { GeoredError } from '../../errors/catalogue';
import {
  checkResponseSemantics,
  createResponse,
  DEFAULT_LIMITS,
  isRequest,
  newBranch,
  parseMessage,
  SipParseError,
  type SipMessage,
  type SipRequest,
  type SipResponse,
} from '../message';
import { TransactionLayer, type LayerOutput, type TimerValues } from '../transaction';
import {
  hostPort,
  TransportManager,
  type ConnectionLost,
  type ListenSpec,
  type StreamSettings,
  type TlsFiles,
  type UdpOptions,
  type UdpSocketStats,
} from '../transport';
import type { Endpoint, Inbound, TransportProtocol } from '../transport/types';
import { endpointKey } from '../transport/types';
import { reasonPhrase, statelessErrorResponse } from './bad-request';
import { now, SingleTimer } from './clock';
import { transportError } from '../transport/node-errors';
import { LogLimiter } from './log-limiter';
import { applyReceived } from './rfc3581';
import { transactionOfResponse } from './bad-request';

export interface SipStackOptions {
  readonly listen: readonly ListenSpec[];
  readonly tls?: TlsFiles;
  readonly stream?: Partial<StreamSettings>;
  readonly udp?: UdpOptions;
  readonly timers?: Partial<TimerValues>;
  /** When an INVITE server transaction sends 100 Trying itself (default 200 ms; a proxy wants 0, §16.2). */
  readonly trying100DelayMs?: number;
  readonly logger?: Logger;
}

/** A final response as the TU sees it: a real one, or one the stack made up for a timeout or a transport error. */
export type FinalResponse = SipResponse & {
  /** True when no response arrived: 408 for a timeout, 503 for a transport failure. */
  readonly synthetic?: boolean;
  /** The transport error behind a synthetic 503. */
  readonly cause?: GeoredError;
  /**
   * Set when that error was the loss of an open connection (a RST, the peer closing it): its id, the same
   * for every transaction it stranded, so the TU can count one reset as one failure.
   */
  readonly lostConnection?: number;
};

export interface RequestHooks {
  onProvisional?(res: SipResponse): void;
  /** Every response, including 2xx retransmissions to an INVITE after the first final one. */
  onResponse?(res: SipResponse): void;
  /**
   * Give up after this long (ms) with a synthetic 408, sooner than the transaction's own 64*T1 timeout
   * (an OPTIONS probe with its own deadline). The transaction itself runs on and its answer is ignored.
   */
  readonly timeoutMs?: number;
  /** Push our own Via (new branch, rport) on top; default true, false for CANCEL (it copies the INVITE's). */
  readonly addVia?: boolean;
  /**
   * The final response (real or synthetic), once, as `final` resolves, but without a promise and its job:
   * the proxy's attempts take this path. Called when the stack has finished the turn's other work (as a
   * promise's job would be), never in the middle of it.
   */
  onFinal?(res: FinalResponse): void;
}

export interface ClientRequest {
  readonly id: string;
  readonly request: SipRequest;
  /** Made when first asked for: a TU that takes `onFinal` pays for no promise. */
  readonly final: Promise<FinalResponse>;
  /** INVITE: sends CANCEL (after the first provisional, RFC 3261 §9.1). Other methods cannot be cancelled. */
  cancel(): void;
}

export interface ServerTx {
  readonly id: string;
  readonly request: SipRequest;
  respond(res: SipResponse): void;
}

export type RequestHandler = (req: SipRequest, tx: ServerTx, source: Endpoint) => void;

/**
 * What the TU's screen says about a request before the transaction layer sees it: nothing (go on), drop it
 * in silence, or answer it statelessly (RFC 3261 §16.7 lets an element answer without a transaction). A
 * stateless answer is sent once, to the address the bytes came from, and never retransmitted: refusing a
 * stranger costs no state and cannot be turned into an amplifier.
 */
export type ScreenVerdict = undefined | { readonly drop: true } | { readonly status: number };
export type RequestScreen = (req: SipRequest, source: Endpoint) => ScreenVerdict;

interface PendingClient {
  readonly id: string;
  readonly request: SipRequest;
  readonly dest: Endpoint;
  readonly hooks: RequestHooks | undefined;
  /** The final response, once settled. */
  result: FinalResponse | null;
  /** The `final` promise's resolve, once someone asked for the promise. */
  resolve: ((res: FinalResponse) => void) | null;
  done: boolean;
  provisional: boolean;
  cancelWanted: boolean;
  cancelSent: boolean;
  deadline: number | undefined;
}

export interface StackCounters {
  /** Inbound bytes that did not parse (answered with a stateless error where possible). */
  parseErrors: number;
  /** Parse errors answered with a stateless 4xx/5xx. */
  parseErrorsAnswered: number;
  /** Requests the transaction user threw on; the stack answered them (the parse error's status, else 500). */
  handlerFailures: number;
}

/**
 * The SIP stack a transaction user talks to: transports below, the RFC 3261 §17 transaction layer in the
 * middle, a real clock driving its timers, and a small promise-based API on top.
 */
export class SipStack {
  readonly counters: StackCounters = { parseErrors: 0, parseErrorsAnswered: 0, handlerFailures: 0 };
  private readonly clients = new Map<string, PendingClient>();
  /**
   * INVITE clients answered 2xx, kept only to pass 2xx retransmissions to `onResponse` until Timer M
   * (32 s). Just the hooks: the request, the promise's resolver and the rest of the record are let go with
   * the final response, so they die young instead of being promoted and costing full collections.
   */
  private readonly accepted = new Map<string, RequestHooks>();
  /** The clients with a TU deadline still open: few (probes), so the timer scan stays off the proxy's path. */
  private readonly deadlined = new Map<string, PendingClient>();
  /** The transport error behind a client transaction's 'transport-error' output, for its synthetic 503. */
  private readonly lastTransportError = new Map<string, GeoredError>();
  private readonly timer = new SingleTimer(() => this.tick());
  private requestHandler: RequestHandler | undefined;
  private ackHandler: ((req: SipRequest, source: Endpoint) => void) | undefined;
  private strayHandler: ((res: SipResponse, source: Endpoint) => void) | undefined;
  private screen: RequestScreen | undefined;
  /** Requests the screen dropped, and those it answered statelessly. */
  readonly screenCounters = { dropped: 0, answered: 0 };
  private transports!: TransportManager;
  private closed = false;
  private readonly debug: boolean;
  /** A failing handler is logged at error level at most once a minute: the sender controls the rate. */
  private readonly failureLog = new LogLimiter(60_000);

  private constructor(
    private readonly layer: TransactionLayer,
    private readonly log: Logger,
  ) {
    this.debug = log.isLevelEnabled('debug');
  }

  static async create(opts: SipStackOptions): Promise<SipStack> {
    const log = opts.logger ?? pino({ enabled: false });
    const stack = new SipStack(
      new TransactionLayer({ timers: opts.timers, trying100DelayMs: opts.trying100DelayMs }),
      log,
    );
    stack.transports = await TransportManager.open(
      {
        listen: opts.listen,
        tls: opts.tls,
        stream: { ...opts.stream, onConnectionLost: (e) => stack.connectionLost(e) },
        udp: opts.udp,
        logger: log,
      },
      (inbound) => stack.receive(inbound),
    );
    return stack;
  }

  /** UDP receive buffers and kernel drops per listener (reads /proc: for a metric scrape, not per message). */
  udpStats(): UdpSocketStats[] {
    return this.transports.udpStats();
  }

  /** Every bound listening endpoint (port 0 resolved to the real port). */
  endpoints(): Endpoint[] {
    return this.transports.endpoints();
  }

  /** Why the last TCP/TLS connection attempt to `dest` failed, if none has opened since. */
  lastConnectFailure(dest: Endpoint): GeoredError | undefined {
    return this.transports.lastConnectFailure(dest);
  }

  /**
   * Our endpoint for `protocol` (and the family of `toward`, when given), for Via sent-by and Contact. A
   * protocol we only connect out on (no listener) borrows the address of another listener with the
   * protocol's default port: replies come back on the connection anyway (RFC 3261 §18.2.2).
   */
  localEndpoint(protocol: TransportProtocol, toward?: Endpoint): Endpoint {
    const family = toward ? (toward.address.includes(':') ? 6 : 4) : undefined;
    const own = this.transports.localEndpoint(protocol, family);
    if (own) return own;
    const any = this.endpoints().find(
      (e) => family === undefined || e.address.includes(':') === (family === 6),
    );
    if (!any) {
      throw transportError('TRANSPORT_NO_SOCKET', {
        protocol,
        family: family ?? 4,
        endpoint: toward ? endpointKey(toward) : protocol,
      });
    }
    return { protocol, address: any.address, port: protocol === 'tls' ? 5061 : 5060 };
  }

  /** Live transactions in the layer (client and server): what a leak would make grow. */
  get transactionCount(): number {
    return this.layer.size;
  }

  onRequest(handler: RequestHandler): void {
    this.requestHandler = handler;
  }

  onAck(handler: (req: SipRequest, source: Endpoint) => void): void {
    this.ackHandler = handler;
  }

  onStrayResponse(handler: (res: SipResponse, source: Endpoint) => void): void {
    this.strayHandler = handler;
  }

  /** Looks at every request before any transaction is made for it (see ScreenVerdict). */
  onScreen(screen: RequestScreen): void {
    this.screen = screen;
  }

  /** Pushes our Via for a request going to `dest`: a fresh branch, and rport so NATs are survived (RFC 3581). */
  addVia(req: SipRequest, dest: Endpoint): void {
    const local = this.localEndpoint(dest.protocol, dest);
    req.headers.prepend(
      'Via',
      `SIP/2.0/${dest.protocol.toUpperCase()} ${hostPort(local.address, local.port)};branch=${newBranch()};rport`,
    );
  }

  sendRequest(req: SipRequest, dest: Endpoint, hooks?: RequestHooks): ClientRequest {
    if (hooks?.addVia ?? req.method !== 'CANCEL') this.addVia(req, dest);
    const t = now();
    const { id, outputs } = this.layer.sendRequest(req, dest, t);
    const pending: PendingClient = {
      id,
      request: req,
      dest,
      hooks,
      result: null,
      resolve: null,
      done: false,
      provisional: false,
      cancelWanted: false,
      cancelSent: false,
      deadline: hooks?.timeoutMs !== undefined ? t + hooks.timeoutMs : undefined,
    };
    this.clients.set(id, pending);
    if (pending.deadline !== undefined) this.deadlined.set(id, pending);
    this.run(outputs);
    this.rearm();
    return new PendingRequest(pending, this);
  }

  /** Sends a message outside any transaction (a proxy's stateless forward, an ACK for a 2xx). */
  sendStateless(msg: SipMessage, dest: Endpoint): void {
    this.transmit(msg, dest);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.timer.cancel();
    for (const [id, p] of this.clients)
      if (!p.done) this.settle(id, p, this.synthetic(p.request, 503, 'Service Unavailable'));
    this.accepted.clear();
    await this.transports.close();
  }

  /** @internal PendingRequest's cancel. */
  cancelRequest(id: string): void {
    const p = this.clients.get(id);
    if (!p || p.done || p.cancelSent || p.request.method !== 'INVITE') return;
    // §9.1: a CANCEL before any provisional could overtake the INVITE; wait for the first 1xx.
    if (!p.provisional) {
      p.cancelWanted = true;
      return;
    }
    this.sendCancel(p);
  }

  private sendCancel(p: PendingClient): void {
    p.cancelSent = true;
    p.cancelWanted = false;
    const inv = p.request;
    const lines = [
      `CANCEL ${inv.uri} SIP/2.0`,
      `Via: ${inv.headers.getAll('Via')[0] ?? ''}`,
      ...inv.headers.getAll('Route').map((r) => `Route: ${r}`),
      `From: ${inv.headers.get('From') ?? ''}`,
      `To: ${inv.headers.get('To') ?? ''}`,
      `Call-ID: ${inv.callId}`,
      `CSeq: ${inv.cseq.seq} CANCEL`,
      'Max-Forwards: 70',
      'Content-Length: 0',
    ];
    const cancel = parseMessage(Buffer.from(lines.join('\r\n') + '\r\n\r\n')) as SipRequest;
    this.sendRequest(cancel, p.dest, { addVia: false }); // its answer (200, or a 481) changes nothing
    this.run(this.layer.cancelSent(p.id, now()));
    this.rearm();
  }

  private receive(inbound: Inbound): void {
    if (this.closed) return;
    if (inbound.oversized !== undefined) {
      this.tooLarge(
        inbound,
        new SipParseError('SIP_MESSAGE_TOO_LARGE', { limit: DEFAULT_LIMITS.maxMessageBytes }),
      );
      return;
    }
    let msg: SipMessage;
    try {
      msg = parseMessage(inbound.bytes, { datagram: inbound.source.protocol === 'udp' });
    } catch (err) {
      if (err instanceof SipParseError && err.code === 'SIP_MESSAGE_TOO_LARGE') this.tooLarge(inbound, err);
      else this.rejectUnparseable(inbound, err);
      return;
    }
    if (!isRequest(msg)) {
      // RFC 3261 §20 table 2: a response without Call-ID, CSeq, From, To or Via matches no transaction.
      const problem = checkResponseSemantics(msg);
      if (problem !== null) {
        this.rejectUnparseable(inbound, problem);
        return;
      }
    }
    let outputs: LayerOutput[];
    try {
      if (isRequest(msg)) {
        applyReceived(msg, inbound.source);
        if (this.screen && this.screened(msg, inbound.source)) return;
      }
      if (this.debug) this.log.debug({ from: endpointKey(inbound.source), summary: summary(msg) }, 'sip in');
      outputs = this.layer.receive(msg, inbound.source, now());
    } catch (err) {
      // Headers parse lazily: a bad Via or CSeq surfaces here, when matching first reads it.
      if (!(err instanceof SipParseError)) throw err;
      this.rejectUnparseable(inbound, isRequest(msg) ? err : err.unanswerable());
      return;
    }
    try {
      this.run(outputs);
    } catch (err) {
      // A failing transaction user must not take the socket (and every other call) down with it.
      this.handlerFailed(err, inbound.source);
    }
    this.rearm();
  }

  /** True when the screen took the request: dropped, or answered once without a transaction. */
  private screened(req: SipRequest, source: Endpoint): boolean {
    const verdict = this.screen!(req, source);
    if (verdict === undefined) return false;
    if ('drop' in verdict || req.method === 'ACK') {
      this.screenCounters.dropped++;
      return true;
    }
    this.screenCounters.answered++;
    this.transmit(createResponse(req, verdict.status), source);
    return true;
  }

  private rejectUnparseable(inbound: Inbound, err: unknown): void {
    this.counters.parseErrors++;
    const status = err instanceof SipParseError ? err.status : undefined;
    if (this.debug)
      this.log.debug({ from: endpointKey(inbound.source), err: (err as Error).message }, 'unparseable');
    if (status === undefined) return;
    const bytes = statelessErrorResponse(inbound.bytes, status, (err as Error).message);
    if (!bytes) return;
    this.counters.parseErrorsAnswered++;
    // The Via did not parse as a whole, so the answer goes where the bytes came from (§18.2.2's fallback).
    this.transports.send(bytes, inbound.source);
  }

  /**
   * A message over the parse limit is never lost silently. A request is answered 513 Message Too Large
   * statelessly (RFC 3261 §21.5.14), built from its header section. A response cannot be passed on, so the
   * client transaction its top Via branch and CSeq method name (§17.1.3) ends as on a transport failure
   * (§17.1.4: the TU gets a synthetic 503 and moves on to its next target) instead of waiting for a
   * retransmission that would be just as large.
   */
  private tooLarge(inbound: Inbound, err: SipParseError): void {
    this.counters.parseErrors++;
    if (this.debug)
      this.log.debug({ from: endpointKey(inbound.source), err: err.message }, 'message too large');
    const ids = transactionOfResponse(inbound.bytes);
    if (ids === undefined) {
      const bytes = statelessErrorResponse(inbound.bytes, 513, err.message);
      if (!bytes) return;
      this.counters.parseErrorsAnswered++;
      this.transports.send(bytes, inbound.source);
      return;
    }
    const txId = this.layer.clientTransactionFor(ids.branch, ids.method);
    if (txId === undefined) return;
    const p = this.clients.get(txId);
    if (p && !p.done) this.lastTransportError.set(txId, err);
    this.run(this.layer.transportError(txId, now()));
    this.rearm();
  }

  /**
   * A connection that was open has gone (RFC 3261 §18.4: the transport layer reports a failure to the
   * transaction layer, §17.1.4: the client transaction tells its TU): every client transaction whose request
   * went to that endpoint and still waits for a response would wait for nothing, since responses come back
   * on the connection (§18.2.2). They end now with a transport error, so a proxy's call moves on at once;
   * the next request to the endpoint opens a new connection (the transport has already forgotten this one).
   */
  private connectionLost(e: ConnectionLost): void {
    if (this.closed) return;
    const key = endpointKey(e.remote);
    const stranded: string[] = [];
    for (const [id, p] of this.clients) {
      if (!p.done && p.dest.protocol === e.remote.protocol && endpointKey(p.dest) === key) stranded.push(id);
    }
    if (stranded.length === 0) return;
    if (this.debug)
      this.log.debug({ remote: key, err: e.error.message, stranded: stranded.length }, 'connection lost');
    const t = now();
    for (const id of stranded) {
      this.lastTransportError.set(id, e.error);
      this.lostOn.set(id, e.connection);
      this.run(this.layer.transportError(id, t));
    }
    this.rearm();
  }
  /** The lost connection behind a transport error (see connectionLost), by transaction. */
  private readonly lostOn = new Map<string, number>();

  private transmit(msg: SipMessage, dest: Endpoint, txId?: string): void {
    if (this.debug) this.log.debug({ to: endpointKey(dest), summary: summary(msg) }, 'sip out');
    this.transports.send(msg.toBuffer(), dest, (err) => {
      if (this.debug) this.log.debug({ to: endpointKey(dest), err: err.message }, 'send failed');
      if (txId === undefined || this.closed) return;
      const p = this.clients.get(txId);
      if (p && !p.done) this.lastTransportError.set(txId, err);
      this.run(this.layer.transportError(txId, now()));
      this.rearm();
    });
  }

  /** Settled clients whose TU has not heard yet (see RequestHooks.onFinal). */
  private settled: PendingClient[] = [];
  private readonly deliver = (): void => this.deliverFinals();

  /**
   * Tells the TU of the finals settled since the last delivery, in one job queued when the first of them
   * settled: the timing a promise's job gave (after the stack's current work, an INVITE client's ACK for
   * a 503 before the TU's next attempt; never inside a call the TU is making), without a promise, its
   * resolve function and the reaction closures per client transaction.
   */
  private deliverFinals(): void {
    const batch = this.settled;
    this.settled = [];
    for (const p of batch) {
      const res = p.result as FinalResponse;
      p.resolve?.(res);
      const onFinal = p.hooks?.onFinal;
      if (!onFinal) continue;
      try {
        onFinal(res);
      } catch (err) {
        // A promise's job would have made this an unhandled rejection; one TU's failure stops no other.
        this.counters.handlerFailures++;
        this.log.error(
          { err: (err as Error).message, method: p.request.method, callId: p.request.callId },
          'the transaction user failed on a final response',
        );
      }
    }
  }

  private run(outputs: readonly LayerOutput[]): void {
    for (const o of outputs) {
      switch (o.type) {
        case 'send':
          this.transmit(o.message, o.dest, o.txId);
          break;
        case 'request':
          this.dispatchRequest(o.txId, o.request, o.source);
          break;
        case 'ack':
          this.ackHandler?.(o.request, o.source);
          break;
        case 'response':
          this.dispatchResponse(o.txId, o.response);
          break;
        case 'timeout': {
          const p = this.clients.get(o.txId);
          if (p && !p.done) this.settle(o.txId, p, this.synthetic(p.request, 408, 'Request Timeout'));
          break;
        }
        case 'transport-error': {
          const p = this.clients.get(o.txId);
          const cause = this.lastTransportError.get(o.txId);
          this.lastTransportError.delete(o.txId);
          const lost = this.lostOn.get(o.txId);
          this.lostOn.delete(o.txId);
          if (p && !p.done) {
            const res = this.synthetic(p.request, 503, 'Service Unavailable', cause);
            this.settle(o.txId, p, lost === undefined ? res : Object.assign(res, { lostConnection: lost }));
          }
          break;
        }
        case 'stray-response':
          this.strayHandler?.(o.response, o.source);
          break;
        case 'terminated': {
          const p = this.clients.get(o.txId);
          if (p && !p.done) this.settle(o.txId, p, this.synthetic(p.request, 408, 'Request Timeout'));
          this.clients.delete(o.txId);
          this.accepted.delete(o.txId);
          this.lastTransportError.delete(o.txId);
          this.lostOn.delete(o.txId);
          break;
        }
        case 'ack-timeout':
          if (this.debug) this.log.debug({ txId: o.txId }, 'no ACK for a final response (Timer H)');
          break;
      }
    }
  }

  private dispatchRequest(txId: string, req: SipRequest, source: Endpoint): void {
    let answered = false;
    const tx: ServerTx = {
      id: txId,
      request: req,
      // An arrow that captures only the id: a TU may keep `respond` alone (for 2xx retransmissions through
      // Timer L) without keeping the request alive with it.
      respond: (res) => {
        if (this.closed) return;
        this.run(this.layer.respond(txId, res, now()));
        if (res.status >= 200) answered = true;
        this.rearm();
      },
    };
    if (!this.requestHandler) {
      tx.respond(createResponse(req, 501, 'Not Implemented'));
      return;
    }
    try {
      this.requestHandler(req, tx, source);
    } catch (err) {
      // The handler threw before answering (a header it needed did not parse, or a bug): the stack answers
      // for it, or the server transaction would wait forever (RFC 3261 §8.2: every request gets a final
      // response). A parse error carries its own status (400 mostly); anything else is our fault, 500.
      this.counters.handlerFailures++;
      const parse = err instanceof SipParseError && err.status !== undefined;
      if (!parse) this.handlerFailed(err, source);
      else if (this.debug)
        this.log.debug(
          { from: endpointKey(source), err: (err as Error).message },
          'request header did not parse',
        );
      if (answered) return;
      const status = parse ? (err.status as number) : 500;
      try {
        tx.respond(
          createResponse(req, status, parse ? reasonPhrase((err as Error).message) : 'Server Internal Error'),
        );
      } catch (e) {
        // Not even a response can be built (a header every response copies is unreadable): nothing is
        // sent, and the transaction ends by its own timers.
        if (this.debug) this.log.debug({ err: (e as Error).message }, 'cannot answer a failed request');
      }
    }
  }

  /** A transaction user threw: logged at error level at most once a minute, with how many were not logged. */
  private handlerFailed(err: unknown, source: Endpoint): void {
    const suppressed = this.failureLog.take(now());
    if (suppressed === null) return;
    this.log.error(
      { err: (err as Error).message, from: endpointKey(source), suppressed },
      'SIP handler failed',
    );
  }

  private dispatchResponse(txId: string, res: SipResponse): void {
    const p = this.clients.get(txId);
    if (!p) {
      this.accepted.get(txId)?.onResponse?.(res);
      return;
    }
    p.hooks?.onResponse?.(res);
    if (p.done) return;
    if (res.status < 200) {
      p.provisional = true;
      if (p.cancelWanted) this.sendCancel(p);
      p.hooks?.onProvisional?.(res);
      return;
    }
    this.settle(txId, p, res);
    // The transaction passes nothing more up after a final response, except 2xx retransmissions to an
    // INVITE (RFC 6026 §8.4): drop the record now rather than at Timer K, M or D, keeping only the hook
    // those retransmissions need. A 'terminated' or transport error that follows finds nothing to settle.
    this.clients.delete(txId);
    if (res.status < 300 && p.hooks?.onResponse && p.request.method === 'INVITE') {
      this.accepted.set(txId, p.hooks);
    }
  }

  private settle(id: string, p: PendingClient, res: FinalResponse): void {
    this.deadlined.delete(id);
    if (p.done) return;
    p.done = true;
    p.result = res;
    if (!p.resolve && !p.hooks?.onFinal) return;
    if (this.settled.length === 0) queueMicrotask(this.deliver);
    this.settled.push(p);
  }

  /** @internal PendingRequest's `final`: the promise, made on first ask. */
  finalOf(p: PendingClient): Promise<FinalResponse> {
    // Settled and not waiting for delivery (delivered, or nobody was listening then): resolved already.
    if (p.result !== null && !this.settled.includes(p)) return Promise.resolve(p.result);
    return new Promise<FinalResponse>((resolve) => (p.resolve = resolve));
  }

  private synthetic(req: SipRequest, status: number, reason: string, cause?: GeoredError): FinalResponse {
    const res = createResponse(req, status, reason);
    return Object.assign(res, { synthetic: true, cause });
  }

  private tick(): void {
    if (this.closed) return;
    const t = now();
    this.run(this.layer.onTimer(t));
    for (const [id, p] of this.deadlined) {
      if (p.deadline !== undefined && p.deadline <= t) {
        this.settle(id, p, this.synthetic(p.request, 408, 'Request Timeout'));
      }
    }
    this.rearm();
  }

  /** Arms the one timer at the earliest of the layer's next timer and the TU deadlines still open. */
  private rearm(): void {
    if (this.closed) return;
    let at = this.layer.nextTimer();
    for (const p of this.deadlined.values()) {
      if (p.deadline !== undefined && (at === null || p.deadline < at)) at = p.deadline;
    }
    this.timer.arm(at);
  }
}

function summary(msg: SipMessage): string {
  return isRequest(msg) ? `${msg.method} ${msg.uri}` : `${msg.status} ${msg.reason}`;
}

/** The TU's handle on a client transaction: `final` costs a promise only when it is read. */
class PendingRequest implements ClientRequest {
  private promise: Promise<FinalResponse> | null = null;
  constructor(
    private readonly pending: PendingClient,
    private readonly stack: SipStack,
  ) {}

  get id(): string {
    return this.pending.id;
  }

  get request(): SipRequest {
    return this.pending.request;
  }

  get final(): Promise<FinalResponse> {
    return (this.promise ??= this.stack.finalOf(this.pending));
  }

  cancel(): void {
    this.stack.cancelRequest(this.pending.id);
  }
}
