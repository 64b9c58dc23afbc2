/**
 * The timers every transaction keeps (src/sip/transaction/transaction.ts): deadlines by name, due ones fired
 * in the precedence order when they fall due together, none left once Terminated, and a timer the state
 * machine did not list refused by name rather than silently never firing.
 */
import { describe, expect, it } from 'vitest';
import { Transaction, type TransitionTable } from '../../../src/sip/transaction/transaction';
import type { LayerOutput } from '../../../src/sip/transaction/types';

type S = 'Open' | 'Terminated';
type T = 'X' | 'Y' | 'Z';
const TRANSITIONS: TransitionTable<S> = { Open: ['Terminated'], Terminated: [] };

class Probe extends Transaction<S, T> {
  readonly kind = 'non-invite-server' as const;
  readonly fired: string[] = [];
  constructor() {
    // 'Z' is left out of the list on purpose.
    super('p1', 'Open', TRANSITIONS, ['Y', 'X'] as T[]);
  }
  set(timer: T, at: number): void {
    this.arm(timer, at);
  }
  unset(timer: T): void {
    this.disarm(timer);
  }
  isArmed(timer: T): boolean {
    return this.armed(timer);
  }
  protected fire(timer: T, at: number): void {
    this.fired.push(`${timer}@${at}`);
  }
}

describe('transaction timers', () => {
  it('keeps deadlines by name and fires the due ones at their own deadline, by precedence on a tie', () => {
    const t = new Probe();
    expect(t.nextTimer()).toBeNull();
    t.set('X', 100);
    t.set('Y', 100);
    expect(t.nextTimer()).toBe(100);
    expect(t.isArmed('X')).toBe(true);
    const out: LayerOutput[] = [];
    t.onTimer(50, out);
    expect(t.fired).toEqual([]);
    t.onTimer(130, out);
    // Y precedes X in the list: it fires first; both at 100, not at the late 130.
    expect(t.fired).toEqual(['Y@100', 'X@100']);
    expect(t.nextTimer()).toBeNull();
  });

  it('disarms a timer, and keeps none once Terminated', () => {
    const t = new Probe();
    t.set('X', 10);
    t.set('Y', 20);
    t.unset('X');
    expect(t.isArmed('X')).toBe(false);
    expect(t.nextTimer()).toBe(20);
    t.transition('Terminated');
    expect(t.nextTimer()).toBeNull();
    t.onTimer(1000, []);
    expect(t.fired).toEqual([]);
  });

  it('refuses a timer its state machine did not list (TXN_UNLISTED_TIMER)', () => {
    const t = new Probe();
    expect(() => t.set('Z', 5)).toThrow(expect.objectContaining({ code: 'TXN_UNLISTED_TIMER' }));
    expect(() => t.set('Z', 5)).toThrow(/timer Z is not in the non-invite-server transaction's list/);
  });
});
