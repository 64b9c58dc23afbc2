import { errorFactory } from '../../errors/catalogue';
import { canTransition, guardTransition, type TransitionTable } from '../../errors/state';
import { TRANSACTION_ERRORS } from '../../errors/transaction';
import type { LayerOutput, TransactionKind } from './types';

export type { TransitionTable };

const err = errorFactory(TRANSACTION_ERRORS);

/**
 * What the four RFC 3261 §17 state machines share: the explicit state with its guarded transitions, and a
 * handful of named timers kept as absolute deadlines (ms). Sans-I/O: nothing here reads a clock; the
 * owner asks `nextTimer()` and calls `onTimer(now)` once that time has come.
 */
export abstract class Transaction<S extends string, T extends string> {
  abstract readonly kind: TransactionKind;
  state: S;
  /**
   * The deadline of each timer, by its place in `timerPrecedence`; NaN when disarmed. An array of at most
   * five numbers rather than a Map: a call makes four transactions, and each Map was a hash table to
   * allocate and hash timer names into.
   */
  private readonly deadlines: number[];

  protected constructor(
    readonly id: string,
    initial: S,
    private readonly transitions: TransitionTable<S>,
    /** Timer names by precedence: when two fall due together, the earlier one fires first. */
    private readonly timerPrecedence: readonly T[],
  ) {
    this.state = initial;
    this.deadlines = timerPrecedence.map(() => NaN);
  }

  get terminated(): boolean {
    return this.state === 'Terminated';
  }

  /** Moves to `to`, or throws STATE_ILLEGAL_TRANSITION when the RFC has no such arrow. */
  transition(to: S): void {
    // The error's description is built only for a refused move: every transaction makes three or four.
    if (!canTransition(this.transitions, this.state, to))
      guardTransition(this.transitions, this.state, to, {
        machine: `${this.kind} transaction`,
        id: this.id,
        rule: '; RFC 3261 §17 draws no such arrow',
        extra: { kind: this.kind },
      });
    this.state = to;
    // A terminated transaction keeps no timers: none of them can mean anything any more.
    if (to === ('Terminated' as S)) this.deadlines.fill(NaN);
  }

  /** The earliest armed deadline (absolute ms), or null when no timer is armed. */
  nextTimer(): number | null {
    let next: number | null = null;
    for (const at of this.deadlines) if (!Number.isNaN(at) && (next === null || at < next)) next = at;
    return next;
  }

  /** Fires, in deadline order, every timer due at `now`. */
  onTimer(now: number, out: LayerOutput[]): void {
    for (;;) {
      let due = -1;
      let dueAt = Infinity;
      for (let i = 0; i < this.deadlines.length; i++) {
        // NaN compares false: a disarmed timer is never due.
        const at = this.deadlines[i] as number;
        if (at <= now && at < dueAt) {
          due = i;
          dueAt = at;
        }
      }
      if (due < 0) return;
      this.deadlines[due] = NaN;
      // A timer fires at its own deadline, not at `now`: a late wake-up must not stretch the schedule.
      this.fire(this.timerPrecedence[due] as T, dueAt, out);
    }
  }

  protected abstract fire(timer: T, at: number, out: LayerOutput[]): void;

  protected arm(timer: T, at: number): void {
    this.deadlines[this.slotOf(timer)] = at;
  }

  protected disarm(timer: T): void {
    this.deadlines[this.slotOf(timer)] = NaN;
  }

  protected armed(timer: T): boolean {
    return !Number.isNaN(this.deadlines[this.slotOf(timer)]);
  }

  private slotOf(timer: T): number {
    const i = this.timerPrecedence.indexOf(timer);
    if (i < 0) throw err('TXN_UNLISTED_TIMER', { name: timer, kind: this.kind });
    return i;
  }
}
