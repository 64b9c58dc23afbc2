/** Small helpers every check method uses to turn what happened into a CheckOutcome. */
import type { CheckOutcome } from './types';

export function failed(error: string, latency_ms: number | null = null, detail?: string): CheckOutcome {
  return detail === undefined
    ? { success: false, level: 'critical', latency_ms, error }
    : { success: false, level: 'critical', latency_ms, error, detail };
}

export function passed(latency_ms: number | null, detail?: string): CheckOutcome {
  return detail === undefined
    ? { success: true, level: 'ok', latency_ms }
    : { success: true, level: 'ok', latency_ms, detail };
}

/** Milliseconds since `start` (a performance.now() reading), rounded to 0.01 ms. */
export function since(start: number): number {
  return Math.round((performance.now() - start) * 100) / 100;
}

/** The first line of whatever was thrown, so a reason always fits one log line and one table cell. */
export function oneLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const first = text.split('\n').find((l) => l.trim() !== '') ?? '';
  return first.trim().slice(0, 300) || (err instanceof Error ? err.name : 'unknown error');
}

/** The first non-empty line of a program's output, trimmed and bounded; '' when there is none. */
export function firstLine(text: string): string {
  return (text.split('\n').find((l) => l.trim() !== '') ?? '').trim().slice(0, 300);
}

/** `no answer within 250 ms`: the one wording of a probe timeout, whatever the method. */
export function noAnswer(timeoutMs: number): string {
  return `no answer within ${Math.round(timeoutMs)} ms`;
}

/** Node's socket error codes in the words an operator expects. */
export function socketErrorText(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
      return 'connection reset';
    case 'EHOSTUNREACH':
      return 'host unreachable';
    case 'ENETUNREACH':
      return 'network unreachable';
    case 'ETIMEDOUT':
      return 'connection timed out';
    case 'ENOTFOUND':
      return 'no such host';
    default:
      return oneLine(err);
  }
}

/** A promise that resolves when `signal` aborts (never, if it does not). */
export function whenAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
