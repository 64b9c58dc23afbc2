/**
 * Runs one check method for one region under the monitor's deadline. Checks promise to settle with an
 * outcome and to honour their own timeout, but a custom one may not: the monitor's own timer (on its
 * injected clock) aborts the check's signal at the deadline and, if the check still has not answered one
 * clock tick later, records the timeout itself. A check that throws is a failure with the thrown message.
 */
import type { RegionConfig } from '../config/types';
import type { CheckEntry, CheckOutcome } from './checks/types';
import type { MonitorClock } from './monitor-clock';

export interface TimedOutcome {
  readonly outcome: CheckOutcome;
  /** Clock time the outcome was known. */
  readonly at: number;
  /** Clock time the check ran for. */
  readonly elapsed: number;
}

export function runCheck(
  entry: CheckEntry,
  region: RegionConfig,
  timeoutMs: number,
  clock: MonitorClock,
  parent: AbortSignal,
): Promise<TimedOutcome> {
  const start = clock.now();
  const ac = new AbortController();
  const onParentAbort = () => ac.abort();
  parent.addEventListener('abort', onParentAbort, { once: true });
  const timers: unknown[] = [];
  return new Promise<TimedOutcome>((resolve) => {
    let settled = false;
    const settle = (outcome: CheckOutcome) => {
      if (settled) return;
      settled = true;
      for (const t of timers) clock.clearTimeout(t);
      parent.removeEventListener('abort', onParentAbort);
      const at = clock.now();
      resolve({ outcome, at, elapsed: at - start });
    };
    timers.push(
      clock.setTimeout(() => {
        ac.abort();
        // One tick for the check to answer its abort with its own, more precise, outcome.
        timers.push(
          clock.setTimeout(
            () =>
              settle({
                success: false,
                level: 'critical',
                latency_ms: null,
                error: `no answer within ${Math.round(timeoutMs)} ms`,
              }),
            0,
          ),
        );
      }, timeoutMs),
    );
    let running: Promise<CheckOutcome>;
    try {
      running = Promise.resolve(entry.run(region, { timeoutMs, signal: ac.signal }));
    } catch (err) {
      running = Promise.reject(err);
    }
    running.then(settle, (err: unknown) =>
      settle({
        success: false,
        level: 'critical',
        latency_ms: null,
        error: `${entry.name} threw: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`,
      }),
    );
  });
}
