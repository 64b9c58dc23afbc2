/** `http_ping`: GET the region's `http_check_url`; any 2xx is alive. */
import type { RegionConfig } from '../../config/types';
import { failed, noAnswer, oneLine, passed, since } from './outcome';
import type { CheckContext, CheckOutcome } from './types';

export async function httpPing(region: RegionConfig, ctx: CheckContext): Promise<CheckOutcome> {
  const url = region.http_check_url;
  if (url === undefined) return failed(`region ${region.name} has no http_check_url`);
  const start = performance.now();
  const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(ctx.timeoutMs)]);
  try {
    const res = await fetch(url, { method: 'GET', signal, redirect: 'manual' });
    const latency = since(start);
    // The body is not needed, but an unread body keeps the connection busy until it is collected.
    await res.body?.cancel().catch(() => undefined);
    const status = `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`;
    return res.status >= 200 && res.status < 300 ? passed(latency, status) : failed(status, latency);
  } catch (err) {
    if (signal.aborted) return failed(noAnswer(ctx.timeoutMs));
    return failed(fetchErrorText(err));
  }
}

/** fetch wraps the socket error in `TypeError: fetch failed`; the cause is what says what went wrong. */
function fetchErrorText(err: unknown): string {
  const cause = (err as { cause?: unknown }).cause;
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'connection reset';
  return cause ? oneLine(cause) : oneLine(err);
}
