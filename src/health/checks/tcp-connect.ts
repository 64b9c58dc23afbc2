/** `tcp_connect`: a TCP connection to the region's first resolved endpoint (the next on failure). */
import { connect } from 'node:net';
import type { RegionConfig } from '../../config/types';
import type { Endpoint } from '../../sip/transport/types';
import { endpointsOf, hostPortText, type ResolveEndpoints } from './endpoints';
import { failed, noAnswer, passed, since, socketErrorText } from './outcome';
import type { CheckContext, CheckOutcome } from './types';

export function tcpConnectCheck(resolve: ResolveEndpoints) {
  return async (region: RegionConfig, ctx: CheckContext): Promise<CheckOutcome> => {
    const start = performance.now();
    const resolved = await endpointsOf(resolve, region.target);
    if (!resolved.ok) return failed(resolved.error);
    const errors: string[] = [];
    for (const dest of resolved.endpoints) {
      const left = ctx.timeoutMs - (performance.now() - start);
      if (left <= 0 || ctx.signal.aborted) break;
      const error = await connectOnce(dest, left, ctx.signal);
      if (error === null) return passed(since(start), hostPortText(dest));
      if (error === 'timeout') return failed(noAnswer(ctx.timeoutMs), null, hostPortText(dest));
      errors.push(`${error} (${hostPortText(dest)})`);
    }
    return failed(errors.length > 0 ? errors.join('; ') : noAnswer(ctx.timeoutMs));
  };
}

/** null when connected; otherwise why not. */
function connectOnce(dest: Endpoint, timeoutMs: number, signal: AbortSignal): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = connect({ host: dest.address, port: dest.port });
    let settled = false;
    const finish = (result: string | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(result);
    };
    const onAbort = () => finish('timeout');
    const timer = setTimeout(onAbort, timeoutMs);
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => finish(null));
    socket.once('error', (err) => finish(socketErrorText(err)));
  });
}
