/**
 * The per-call failover chain of one outbound INVITE: which region and target is being tried, and what
 * happens when it answers, stays silent or fails. Sans-I/O: events and `now` in, actions out, and
 * `nextTimer()` for the provisional deadline, so it is tested in virtual time. The proxy (sip-proxy.ts)
 * turns actions into SIP messages.
 */
import { guardTransition, type TransitionTable } from '../errors/state';
import type { CallOutcome } from '../health/decide-health-types';
import { chooseBestResponse, decideNext, type AttemptEnd, type NextPolicy } from './decide-next';

export type ChainState =
  'Idle' | 'Trying' | 'Proceeding' | 'Answered' | 'Rejected' | 'Cancelled' | 'Exhausted';

const TRANSITIONS: TransitionTable<ChainState> = {
  Idle: ['Trying', 'Exhausted'],
  Trying: ['Trying', 'Proceeding', 'Answered', 'Rejected', 'Cancelled', 'Exhausted'],
  Proceeding: ['Trying', 'Answered', 'Rejected', 'Cancelled', 'Exhausted'],
  Answered: [],
  Rejected: [],
  Cancelled: [],
  Exhausted: [],
};

/** One region in the order the router gave. */
export interface ChainRegion {
  readonly name: string;
  /** How many RFC 3263 targets the region has; each is tried before the region counts as failed. */
  readonly endpoints: number;
  /**
   * No 1xx within this long: the target is given up (at least 3 × the region's OPTIONS RTT). Null for a
   * non-INVITE request, which is not expected to send a 1xx; its client transaction carries its own deadline.
   */
  readonly provisionalTimeoutMs: number | null;
  /**
   * Timer C (RFC 3261 §16.8): after a provisional, no final answer within this long gives the branch up
   * (CANCEL, then the next target or 408). Reset by every provisional. Null or absent: no Timer C (non-INVITE).
   */
  readonly timerCMs?: number | null;
  readonly hasCredentials: boolean;
}

export type AttemptOutcome = 'answered' | 'failed' | 'timeout' | 'transport-error' | 'cancelled';

/** One request sent to one target; becomes an entry of the call record. */
export interface Attempt {
  readonly id: number;
  readonly region: string;
  readonly regionIndex: number;
  readonly endpoint: number;
  /** Carries an answer to the region's challenge (and so a CSeq one higher). */
  readonly auth: boolean;
  readonly startedAt: number;
  deadline: number | null;
  /** A provisional came while the attempt was in progress (so a given-up one was not silent). */
  provisional: boolean;
  endedAt: number | null;
  status: number | null;
  reason: string | null;
  outcome: AttemptOutcome | null;
}

export type ChainAction =
  /** Send the INVITE to this target (a fresh client transaction). */
  | { readonly type: 'send'; readonly attempt: Attempt; readonly reason: string }
  /** Stop waiting for this attempt: CANCEL it once it has a provisional; its late answers are stale. */
  | { readonly type: 'abandon'; readonly attempt: Attempt }
  /** Forward this attempt's final response to the PBX. */
  | { readonly type: 'forward'; readonly attempt: Attempt; readonly reason: string }
  /**
   * Every target failed: forward the best final answer collected (attempt), or, when there is none,
   * answer `status`: 408 when the last branch ended by Timer C (§16.8: as if it had answered 408), else 503.
   */
  | {
      readonly type: 'give-up';
      readonly best: Attempt | null;
      readonly reason: string;
      readonly status: 408 | 503;
    }
  /** Answer the PBX's INVITE with this status (487 after a CANCEL). */
  | { readonly type: 'reply'; readonly status: number }
  /** A 2xx arrived on an abandoned attempt: ACK it and hang it up (BYE), the PBX has its answer elsewhere. */
  | { readonly type: 'release'; readonly attempt: Attempt }
  /**
   * The passive health signal for the region of this attempt, with how it ended and when it was sent:
   * the proxy checks a silence against the region's other answers (decide-signal.ts) before reporting it.
   */
  | {
      readonly type: 'outcome';
      readonly region: string;
      readonly outcome: CallOutcome;
      readonly end: AttemptEnd;
      readonly sentAt: number;
    };

export class FailoverChain {
  state: ChainState = 'Idle';
  readonly attempts: Attempt[] = [];
  private regionIndex = 0;
  private endpoint = 0;
  private nextId = 1;

  constructor(
    readonly callId: string,
    private readonly regions: readonly ChainRegion[],
    private readonly policy: NextPolicy,
  ) {}

  get current(): Attempt | undefined {
    return this.attempts[this.attempts.length - 1];
  }

  /** True once the PBX has (or is being given) its final answer. */
  get done(): boolean {
    return TRANSITIONS[this.state].length === 0;
  }

  nextTimer(): number | null {
    return this.state === 'Trying' || this.state === 'Proceeding' ? (this.current?.deadline ?? null) : null;
  }

  start(now: number): ChainAction[] {
    if (this.regions.length === 0) {
      this.transition('Exhausted');
      return [
        { type: 'give-up', best: null, reason: 'The router listed no region for the call.', status: 503 },
      ];
    }
    // §16.6: the first target of the target set, in the order the router decided.
    return [this.send(now, false, 'First region in the routing order.')];
  }

  provisional(attemptId: number, now: number): ChainAction[] {
    const a = this.current;
    if (!a || a.id !== attemptId || (this.state !== 'Trying' && this.state !== 'Proceeding')) return [];
    // §16.7 item 5: a provisional is forwarded upstream; for the chain it proves the region is alive.
    // §16.8: "If the client transaction receives a provisional response, Timer C MUST be reset."
    const timerC = (this.regions[a.regionIndex] as ChainRegion).timerCMs ?? null;
    a.deadline = timerC === null ? null : now + timerC;
    a.provisional = true;
    if (this.state === 'Trying') this.transition('Proceeding');
    return [];
  }

  /** A final response (a real one; a synthetic timeout or transport error goes to `failed`). */
  final(attemptId: number, status: number, reason: string, now: number): ChainAction[] {
    const a = this.attempts.find((x) => x.id === attemptId);
    if (!a) return [];
    if (a !== this.current || this.done) {
      // §16.7 item 5 lets a proxy forward 2xx from any branch, but the PBX already has its answer from
      // another one; a dialog nobody will use must be closed at once (ACK then BYE).
      return status >= 200 && status < 300 && a.outcome !== 'answered'
        ? [{ type: 'release', attempt: a }]
        : [];
    }
    this.end(a, now, status, reason, status < 300 ? 'answered' : 'failed');
    return this.after(a, { kind: 'response', status }, now);
  }

  /** `connection`: for a transport error, the lost connection behind it (see AttemptEnd). */
  failed(
    attemptId: number,
    kind: 'timeout' | 'transport-error',
    now: number,
    connection?: number,
    detail?: string,
  ): ChainAction[] {
    const a = this.current;
    if (!a || a.id !== attemptId || this.done) return [];
    this.end(a, now, null, null, kind);
    const end: AttemptEnd =
      kind === 'transport-error'
        ? {
            kind,
            ...(connection === undefined ? {} : { connection }),
            ...(detail === undefined ? {} : { detail }),
          }
        : { kind };
    return this.after(a, end, now);
  }

  /**
   * Time passed: a target silent past its provisional deadline is abandoned; so is one that sent a
   * provisional and then nothing final within Timer C (§16.8: CANCEL it, then as if it had answered 408).
   */
  onTimer(now: number): ChainAction[] {
    const a = this.current;
    if (!a || a.deadline === null || now < a.deadline) return [];
    if (this.state !== 'Trying' && this.state !== 'Proceeding') return [];
    const kind = this.state === 'Trying' ? 'timeout' : 'timer-c';
    this.end(a, now, null, null, 'timeout');
    return [{ type: 'abandon', attempt: a }, ...this.after(a, { kind }, now)];
  }

  /** §16.10: a CANCEL from the PBX stops the chain; the branch in progress is cancelled, the PBX gets 487. */
  cancel(now: number): ChainAction[] {
    if (this.state !== 'Trying' && this.state !== 'Proceeding') return [];
    const a = this.current as Attempt;
    this.end(a, now, null, null, 'cancelled');
    this.transition('Cancelled');
    return [
      { type: 'abandon', attempt: a },
      { type: 'reply', status: 487 },
    ];
  }

  private after(a: Attempt, end: AttemptEnd, now: number): ChainAction[] {
    const region = this.regions[a.regionIndex] as ChainRegion;
    const out: ChainAction[] = [];
    const signal = outcomeOf(end, this.policy);
    if (signal) out.push({ type: 'outcome', region: a.region, outcome: signal, end, sentAt: a.startedAt });
    const moreTargets = this.endpoint + 1 < region.endpoints || this.regionIndex + 1 < this.regions.length;
    const d = decideNext(
      { end, canAuthenticate: region.hasCredentials && !a.auth, moreTargets },
      this.policy,
    );
    switch (d.action) {
      case 'forward':
        // §16.7 item 5/6: 2xx and answers about the callee go upstream at once; the chain is over.
        this.transition(end.kind === 'response' && end.status < 300 ? 'Answered' : 'Rejected');
        out.push({ type: 'forward', attempt: a, reason: d.reason });
        return out;
      case 'authenticate':
        // The same target again with credentials (a new transaction with the next CSeq, §22.2).
        out.push(this.send(now, true, d.reason));
        return out;
      case 'retry':
        // §16.7 item 4 lets a proxy add targets after a failure: the next target of the region, then the
        // next region, in the same server transaction.
        if (this.endpoint + 1 < region.endpoints) this.endpoint++;
        else {
          this.regionIndex++;
          this.endpoint = 0;
        }
        out.push(this.send(now, false, d.reason));
        return out;
      case 'give-up': {
        this.transition('Exhausted');
        const failed = this.attempts.filter((x) => x.status !== null);
        const i = chooseBestResponse(failed.map((x) => x.status as number));
        out.push({
          type: 'give-up',
          best: i < 0 ? null : (failed[i] as Attempt),
          reason: d.reason,
          status: end.kind === 'timer-c' ? 408 : 503,
        });
        return out;
      }
    }
  }

  private send(now: number, auth: boolean, reason: string): ChainAction {
    const region = this.regions[this.regionIndex] as ChainRegion;
    const attempt: Attempt = {
      id: this.nextId++,
      region: region.name,
      regionIndex: this.regionIndex,
      endpoint: this.endpoint,
      auth,
      startedAt: now,
      deadline: region.provisionalTimeoutMs === null ? null : now + region.provisionalTimeoutMs,
      provisional: false,
      endedAt: null,
      status: null,
      reason: null,
      outcome: null,
    };
    this.attempts.push(attempt);
    this.transition('Trying');
    return { type: 'send', attempt, reason };
  }

  private end(
    a: Attempt,
    now: number,
    status: number | null,
    reason: string | null,
    outcome: AttemptOutcome,
  ): void {
    a.endedAt = now;
    a.deadline = null;
    a.status = status;
    a.reason = reason;
    a.outcome = outcome;
  }

  private transition(to: ChainState): void {
    this.state = guardTransition(TRANSITIONS, this.state, to, {
      machine: 'the failover chain of call',
      id: this.callId,
    });
  }
}

/** The passive health signal an attempt's end gives its region; none for challenges and callee answers' 6xx. */
export function outcomeOf(end: AttemptEnd, policy: NextPolicy): CallOutcome | null {
  if (end.kind === 'timeout' || end.kind === 'timer-c') return 'timeout';
  if (end.kind === 'transport-error') return 'transport-error';
  const s = end.status;
  if (s === 401 || s === 407) return null;
  if (s === 408) return '408';
  if (s >= 500 && s < 600) return '5xx';
  if (s >= 600 && policy.failover6xx.includes(s)) return null;
  return 'ok';
}
