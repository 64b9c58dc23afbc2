/**
 * Custom checks written in TypeScript: the guide's `add_health_check_method('custom', fn)`. The function
 * may answer a boolean or a full CheckOutcome, synchronously or not; a throw is a failure with the thrown
 * message, and a function that has not answered by the deadline is a failure too (its late answer is
 * ignored, since nothing can stop a running function).
 */
import type { RegionConfig } from '../../config/types';
import { failed, noAnswer, oneLine, passed, since } from './outcome';
import type { CheckContext, CheckOutcome } from './types';

export type CustomCheckFn = (
  region: RegionConfig,
  ctx: CheckContext,
) => boolean | CheckOutcome | Promise<boolean | CheckOutcome>;

export function customCheck(name: string, fn: CustomCheckFn) {
  return async (region: RegionConfig, ctx: CheckContext): Promise<CheckOutcome> => {
    const start = performance.now();
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const deadline = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), ctx.timeoutMs);
      onAbort = () => resolve('timeout');
      ctx.signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      const answer = await Promise.race([Promise.resolve().then(() => fn(region, ctx)), deadline]);
      if (answer === 'timeout') return failed(noAnswer(ctx.timeoutMs));
      if (typeof answer === 'boolean') {
        return answer ? passed(since(start)) : failed(`${name} returned false`, since(start));
      }
      return normalise(name, answer, since(start));
    } catch (err) {
      return failed(`${name} threw: ${oneLine(err)}`, since(start));
    } finally {
      clearTimeout(timer);
      if (onAbort) ctx.signal.removeEventListener('abort', onAbort);
    }
  };
}

/** A hand-written outcome may leave things out or contradict itself; this is what the monitor gets. */
function normalise(name: string, o: CheckOutcome, elapsed: number): CheckOutcome {
  if (typeof o !== 'object' || o === null || typeof o.success !== 'boolean') {
    return failed(`${name} returned ${JSON.stringify(o) ?? String(o)}, not a boolean or a check outcome`);
  }
  const latency_ms =
    typeof o.latency_ms === 'number' && Number.isFinite(o.latency_ms) ? o.latency_ms : elapsed;
  const level = o.success ? (o.level === 'warning' ? 'warning' : 'ok') : 'critical';
  const out: CheckOutcome = { ...o, latency_ms, level };
  return o.success || o.error ? out : { ...out, error: `${name} reported failure` };
}
