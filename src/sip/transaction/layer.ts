import { errorFactory } from '../../errors/catalogue';
import { TRANSACTION_ERRORS } from '../../errors/transaction';
import { detached } from '../message/detach';
import { isResponse, type SipMessage, type SipRequest, type SipResponse } from '../message';
import type { Endpoint } from '../transport/types';
import { DeadlineHeap } from './deadline-heap';
import { InviteClientTransaction } from './invite-client';
import { InviteServerTransaction } from './invite-server';
import { clientKey, fallbackAckKey, fallbackKey, hasMagicCookie, serverKey, viaBranch } from './matching';
import { NonInviteClientTransaction } from './non-invite-client';
import { NonInviteServerTransaction } from './non-invite-server';
import { responseDestination } from './response-destination';
import { resolveTimers, type TimerValues } from './timers';
import type { LayerOutput, TransactionKind, TransactionState } from './types';

const err = errorFactory(TRANSACTION_ERRORS);

type ClientTransaction = InviteClientTransaction | NonInviteClientTransaction;
type ServerTransaction = InviteServerTransaction | NonInviteServerTransaction;

export interface TransactionLayerOptions {
  timers?: Partial<TimerValues>;
  /**
   * How long an INVITE server transaction waits for the TU's first response before sending 100 Trying
   * itself (RFC 3261 §17.2.1: 200 ms). 0 sends it at once, as a proxy does (§16.2).
   */
  trying100DelayMs?: number;
}

/** Book-keeping for one live transaction: the key it is matched by and the deadline queued for it. */
interface Slot {
  readonly tx: ClientTransaction | ServerTransaction;
  readonly client: boolean;
  readonly key: string;
  /** RFC 2543 INVITE server transactions: the keys their ACKs match by, one per To tag answered with. */
  ackKeys: string[] | null;
  /** The deadline of this slot's live heap entry; other entries for the slot are stale. */
  scheduled: number | null;
  alive: boolean;
}

/**
 * The RFC 3261 §17 transaction layer, sans-I/O: messages, transport errors and the time go in; messages to
 * send, events for the transaction user and the next deadline come out. Matching is by Map look-up and the
 * deadlines of all transactions sit in one heap, so thousands of transactions cost little per message.
 */
export class TransactionLayer {
  private readonly timers: TimerValues;
  private readonly trying100DelayMs: number;
  private readonly byId = new Map<string, Slot>();
  private readonly clients = new Map<string, Slot>();
  private readonly servers = new Map<string, Slot>();
  private readonly heap = new DeadlineHeap<Slot>();
  private lastId = 0;

  constructor(opts: TransactionLayerOptions = {}) {
    this.timers = resolveTimers(opts.timers);
    this.trying100DelayMs = opts.trying100DelayMs ?? 200;
  }

  /** Live transactions. */
  get size(): number {
    return this.byId.size;
  }

  stateOf(txId: string): TransactionState | undefined {
    return this.byId.get(txId)?.tx.state;
  }

  kindOf(txId: string): TransactionKind | undefined {
    return this.byId.get(txId)?.tx.kind;
  }

  /**
   * A message from the transport. The message layer's accessors throw `SipParseError` when a header
   * matching needs (Via, CSeq, From, To, Call-ID) is missing or malformed; the stack validates first or
   * drops what throws (a response) or answers it 400 (a request).
   */
  receive(msg: SipMessage, source: Endpoint, now: number): LayerOutput[] {
    return isResponse(msg) ? this.receiveResponse(msg, source, now) : this.receiveRequest(msg, source, now);
  }

  /** Starts a client transaction for `req`, whose top Via the TU has given a fresh branch. */
  sendRequest(req: SipRequest, dest: Endpoint, now: number): { id: string; outputs: LayerOutput[] } {
    if (req.method === 'ACK') throw err('TXN_ACK_HAS_NO_TRANSACTION');
    const branch = viaBranch(req.topVia);
    if (!branch) throw err('TXN_MISSING_BRANCH', { method: req.method });
    // Kept as long as the transaction (Timer K/D/M: up to 32 s): detached, so that it does not hold the
    // message text its branch was sliced from (keys are built by concatenation, and V8 keeps the parts).
    const key = detached(clientKey(branch, req.method));
    if (this.clients.has(key)) throw err('TXN_DUPLICATE_BRANCH', { branch, method: req.method });
    const id = `c${++this.lastId}`;
    const tx =
      req.method === 'INVITE'
        ? new InviteClientTransaction(id, req, dest, this.timers)
        : new NonInviteClientTransaction(id, req, dest, this.timers);
    const slot: Slot = { tx, client: true, key, ackKeys: null, scheduled: null, alive: true };
    this.byId.set(id, slot);
    this.clients.set(key, slot);
    const outputs: LayerOutput[] = [];
    tx.start(now, outputs);
    this.settle(slot, outputs);
    return { id, outputs };
  }

  /** A response from the TU for the server transaction `serverTxId`. */
  respond(serverTxId: string, res: SipResponse, now: number): LayerOutput[] {
    const slot = this.byId.get(serverTxId);
    if (!slot) throw err('TXN_UNKNOWN_TRANSACTION', { id: serverTxId });
    const tx = slot.tx;
    if (tx instanceof InviteClientTransaction || tx instanceof NonInviteClientTransaction) {
      throw err('TXN_NOT_A_SERVER_TRANSACTION', { id: serverTxId });
    }
    if (!Number.isInteger(res.status) || res.status < 100 || res.status > 699) {
      throw err('TXN_BAD_RESPONSE_STATUS', { id: serverTxId, status: res.status });
    }
    const want = tx.cseq;
    const got = res.cseq;
    if (got.seq !== want.seq || got.method !== want.method) {
      throw err('TXN_RESPONSE_MISMATCH', {
        id: serverTxId,
        got: `${got.seq} ${got.method}`,
        expected: `${want.seq} ${want.method}`,
      });
    }
    const out: LayerOutput[] = [];
    const sent = tx.respond(res, now, out);
    if (sent && res.status >= 200 && tx instanceof InviteServerTransaction && !tx.terminated) {
      this.noteAckKey(slot, tx, res);
    }
    this.settle(slot, out);
    return out;
  }

  /** The TU sent a CANCEL for the INVITE client transaction `txId`: it is destroyed 64*T1 later if unanswered (§9.1). */
  cancelSent(txId: string, now: number): LayerOutput[] {
    const slot = this.byId.get(txId);
    if (!slot || !(slot.tx instanceof InviteClientTransaction)) return [];
    const out: LayerOutput[] = [];
    slot.tx.cancelled(now);
    this.settle(slot, out);
    return out;
  }

  /** The transport could not deliver for `txId` (RFC 3261 §17.1.4, §17.2.4). Late reports are ignored. */
  transportError(txId: string, _now: number): LayerOutput[] {
    const slot = this.byId.get(txId);
    if (!slot) return [];
    const out: LayerOutput[] = [];
    slot.tx.onTransportError(out);
    this.settle(slot, out);
    return out;
  }

  /** The earliest deadline of any transaction (absolute ms), or null when no timer is armed. */
  nextTimer(): number | null {
    // Drop stale entries on top so the answer is a real deadline, not a superseded one.
    for (;;) {
      const at = this.heap.peekAt();
      if (at === null) return null;
      const slot = this.heap.peekItem() as Slot;
      if (slot.alive && slot.scheduled === at) return at;
      this.heap.pop();
    }
  }

  /** Fires every timer due at `now`. */
  onTimer(now: number): LayerOutput[] {
    const out: LayerOutput[] = [];
    for (;;) {
      const at = this.heap.peekAt();
      if (at === null || at > now) break;
      const slot = this.heap.peekItem() as Slot;
      this.heap.pop();
      if (!slot.alive || slot.scheduled !== at) continue;
      slot.scheduled = null;
      slot.tx.onTimer(now, out);
      this.settle(slot, out);
    }
    return out;
  }

  /** The client transaction a response with this top Via branch and CSeq method matches (§17.1.3). */
  clientTransactionFor(branch: string, method: string): string | undefined {
    return this.clients.get(clientKey(branch, method))?.tx.id;
  }

  /** RFC 3261 §9.2: the INVITE server transaction a CANCEL refers to, matched as §17.2.3 matches requests. */
  findInviteServerTx(cancel: SipRequest): string | undefined {
    const slot = this.findServer(cancel, 'INVITE', false);
    return slot && slot.tx instanceof InviteServerTransaction ? slot.tx.id : undefined;
  }

  private receiveResponse(res: SipResponse, source: Endpoint, now: number): LayerOutput[] {
    const out: LayerOutput[] = [];
    const branch = viaBranch(res.topVia);
    const slot = branch ? this.clients.get(clientKey(branch, res.cseq.method)) : undefined;
    if (!slot) {
      out.push({ type: 'stray-response', response: res, source });
      return out;
    }
    (slot.tx as ClientTransaction).onResponse(res, now, out);
    this.settle(slot, out);
    return out;
  }

  private receiveRequest(req: SipRequest, source: Endpoint, now: number): LayerOutput[] {
    const out: LayerOutput[] = [];
    if (req.method === 'ACK') {
      const slot = this.findServer(req, 'INVITE', true);
      if (slot && slot.tx instanceof InviteServerTransaction) {
        slot.tx.onAck(req, source, now, out);
        this.settle(slot, out);
      } else {
        // §17.2.3 / RFC 6026: an ACK for a 2xx has a branch of its own and matches nothing here.
        out.push({ type: 'ack', request: req, source });
      }
      return out;
    }
    const existing = this.findServer(req, req.method, false);
    if (existing) {
      (existing.tx as ServerTransaction).onRequest(out);
      this.settle(existing, out);
      return out;
    }
    const topVia = req.topVia;
    const branch = viaBranch(topVia);
    // Detached for the reason given in sendRequest: a server transaction lives until Timer J or L (32 s).
    const key = detached(
      hasMagicCookie(branch)
        ? serverKey(topVia, branch, req.method)
        : fallbackKey(req, topVia, req.method, req.toTag),
    );
    const id = `s${++this.lastId}`;
    const dest = responseDestination(topVia, source);
    const tx =
      req.method === 'INVITE'
        ? new InviteServerTransaction(id, req, dest, this.timers, this.trying100DelayMs)
        : new NonInviteServerTransaction(id, req, dest, this.timers);
    const slot: Slot = { tx, client: false, key, ackKeys: null, scheduled: null, alive: true };
    this.byId.set(id, slot);
    this.servers.set(key, slot);
    out.push({ type: 'request', txId: id, request: req, source });
    if (tx instanceof InviteServerTransaction) tx.start(now, out);
    this.settle(slot, out);
    return out;
  }

  /** §17.2.3 (and §9.2 for CANCEL): the server transaction `req` belongs to, if any. */
  private findServer(req: SipRequest, method: string, isAck: boolean): Slot | undefined {
    const topVia = req.topVia;
    const branch = viaBranch(topVia);
    if (hasMagicCookie(branch)) return this.servers.get(serverKey(topVia, branch, method));
    // "the To tag of the ACK matches the To tag of the response sent by the server transaction"; any other
    // request carries the To tag of the request that created the transaction.
    return this.servers.get(
      isAck ? fallbackAckKey(req, topVia, req.toTag) : fallbackKey(req, topVia, method, req.toTag),
    );
  }

  /** An RFC 2543 INVITE transaction that answered with a new To tag can now be matched by that tag's ACK. */
  private noteAckKey(slot: Slot, tx: InviteServerTransaction, final: SipResponse): void {
    // Only an RFC 2543 transaction keeps its request past the final response; the others need no key.
    const req = tx.request;
    if (!req) return;
    const topVia = req.topVia;
    if (hasMagicCookie(viaBranch(topVia))) return;
    const key = detached(fallbackAckKey(req, topVia, final.toTag));
    if (slot.ackKeys?.includes(key)) return;
    (slot.ackKeys ??= []).push(key);
    this.servers.set(key, slot);
  }

  /** After any input: forget a terminated transaction, or queue its next deadline. */
  private settle(slot: Slot, out: LayerOutput[]): void {
    const tx = slot.tx;
    if (tx.terminated) {
      if (!slot.alive) return;
      slot.alive = false;
      slot.scheduled = null;
      this.byId.delete(tx.id);
      this.forget(slot.client ? this.clients : this.servers, slot.key, slot);
      if (slot.ackKeys) for (const key of slot.ackKeys) this.forget(this.servers, key, slot);
      out.push({ type: 'terminated', txId: tx.id });
      this.maybeCompact();
      return;
    }
    const next = tx.nextTimer();
    if (next === slot.scheduled) return;
    slot.scheduled = next;
    if (next !== null) {
      this.heap.push(next, slot);
      this.maybeCompact();
    }
  }

  private forget(map: Map<string, Slot>, key: string, slot: Slot): void {
    if (map.get(key) === slot) map.delete(key);
  }

  /** Stale heap entries pile up as deadlines move; rebuild once they outnumber the live ones. */
  private maybeCompact(): void {
    if (this.heap.length <= 2 * this.byId.size + 1024) return;
    this.heap.compact((at, slot) => slot.alive && slot.scheduled === at);
  }
}
