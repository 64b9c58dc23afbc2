import { errorFactory } from '../../errors/catalogue';
import { TRANSACTION_ERRORS } from '../../errors/transaction';
import type { LayerOutput, TransactionKind } from './types';

const err = errorFactory(TRANSACTION_ERRORS);

/** Which states each state may move to; anything else is a bug the guard reports. */
export type TransitionTable<S extends string> = Readonly<Record<S, readonly S[]>>;

/**
 * What the four RFC 3261 §17 state machines share: the explicit state with its guarded transitions, and a
 * handful of named timers kept as absolute deadlines (ms). Sans-I/O: nothing here reads a clock; the
 * owner asks `nextTimer()` and calls `onTimer(now)` once that time has come.
 */
export abstract class Transaction<S extends string, T extends string> {
  abstract readonly kind: TransactionKind;
  state: S;
  private readonly deadlines = new Map<T, number>();

  protected constructor(
    readonly id: string,
    initial: S,
    private readonly transitions: TransitionTable<S>,
    /** Timer names by precedence: when two fall due together, the earlier one fires first. */
    private readonly timerPrecedence: readonly T[],
  ) {
    this.state = initial;
  }

  get terminated(): boolean {
    return this.state === 'Terminated';
  }

  /** Moves to `to`, or throws TXN_ILLEGAL_TRANSITION when the RFC has no such arrow. */
  transition(to: S): void {
    if (!this.transitions[this.state].includes(to)) {
      throw err('TXN_ILLEGAL_TRANSITION', { kind: this.kind, id: this.id, from: this.state, to });
    }
    this.state = to;
    // A terminated transaction keeps no timers: none of them can mean anything any more.
    if (to === ('Terminated' as S)) this.deadlines.clear();
  }

  /** The earliest armed deadline (absolute ms), or null when no timer is armed. */
  nextTimer(): number | null {
    let next: number | null = null;
    for (const at of this.deadlines.values()) if (next === null || at < next) next = at;
    return next;
  }

  /** Fires, in deadline order, every timer due at `now`. */
  onTimer(now: number, out: LayerOutput[]): void {
    for (;;) {
      let due: T | undefined;
      let dueAt = Infinity;
      for (const name of this.timerPrecedence) {
        const at = this.deadlines.get(name);
        if (at !== undefined && at <= now && at < dueAt) {
          due = name;
          dueAt = at;
        }
      }
      if (due === undefined) return;
      this.deadlines.delete(due);
      // A timer fires at its own deadline, not at `now`: a late wake-up must not stretch the schedule.
      this.fire(due, dueAt, out);
    }
  }

  protected abstract fire(timer: T, at: number, out: LayerOutput[]): void;

  protected arm(timer: T, at: number): void {
    this.deadlines.set(timer, at);
  }

  protected disarm(timer: T): void {
    this.deadlines.delete(timer);
  }

  protected armed(timer: T): boolean {
    return this.deadlines.has(timer);
  }
}
