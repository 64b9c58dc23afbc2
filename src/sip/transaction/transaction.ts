import { guardTransition, type TransitionTable } from '../../errors/state';
import type { LayerOutput, TransactionKind } from './types';

export type { TransitionTable };

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

  /** Moves to `to`, or throws STATE_ILLEGAL_TRANSITION when the RFC has no such arrow. */
  transition(to: S): void {
    this.state = guardTransition(this.transitions, this.state, to, {
      machine: `${this.kind} transaction`,
      id: this.id,
      rule: '; RFC 3261 §17 draws no such arrow',
      extra: { kind: this.kind },
    });
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
