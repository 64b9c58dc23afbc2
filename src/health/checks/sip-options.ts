/**
 * `sip_options`: an OPTIONS request through the SIP stack, the way a trunk provider is usually probed.
 * Alive when the final status is one of `sip_options_ok_codes`; a transport error moves on to the region's
 * next resolved endpoint within the same deadline, as a call would (RFC 3263 §4.3).
 */
import type { RegionConfig } from '../../config/types';
import type { GeoredError } from '../../errors/catalogue';
import { buildRequest, type ClientRequest, type FinalResponse, type RequestHooks } from '../../sip/stack';
import type { SipRequest } from '../../sip/message';
import { transportFailureText } from '../../sip/transport';
import type { Endpoint, TransportProtocol } from '../../sip/transport/types';
import { detailText } from '../decide-format';
import { endpointsOf, hostPortText, type ResolveEndpoints } from './endpoints';
import { failed, noAnswer, oneLine, passed, since, whenAborted } from './outcome';
import type { CheckContext, CheckOutcome } from './types';

/** The part of SipStack the check uses. */
export interface OptionsSender {
  sendRequest(req: SipRequest, dest: Endpoint, hooks?: RequestHooks): ClientRequest;
  localEndpoint(protocol: TransportProtocol, toward?: Endpoint): Endpoint;
  /** Why the last TCP/TLS connection attempt to `dest` failed, if none has opened since. */
  lastConnectFailure(dest: Endpoint): GeoredError | undefined;
}

export interface SipOptionsDeps {
  readonly stack: OptionsSender;
  readonly resolve: ResolveEndpoints;
  /** Read at each probe so a configuration change applies to the next one. */
  readonly okCodes: () => readonly number[];
  readonly userAgent?: string;
}

type Attempt =
  | { readonly kind: 'answer'; readonly res: FinalResponse }
  | { readonly kind: 'transport'; readonly error: string }
  | { readonly kind: 'timeout' };

export function sipOptionsCheck(deps: SipOptionsDeps) {
  return async (region: RegionConfig, ctx: CheckContext): Promise<CheckOutcome> => {
    const start = performance.now();
    const resolved = await endpointsOf(deps.resolve, region.target);
    if (!resolved.ok) return failed(resolved.error);
    const errors: string[] = [];
    for (const dest of resolved.endpoints) {
      const left = ctx.timeoutMs - (performance.now() - start);
      if (left <= 0 || ctx.signal.aborted) break;
      const detail = `${dest.protocol} ${hostPortText(dest)}`;
      const attempt = await optionsTo(deps, region, dest, left, ctx.signal);
      if (attempt.kind === 'timeout') return failed(timeoutText(deps, dest, ctx.timeoutMs), null, detail);
      if (attempt.kind === 'transport') {
        errors.push(`${attempt.error} (${detail})`);
        continue;
      }
      const rtt = since(start);
      const status = `${attempt.res.status} ${attempt.res.reason}`;
      if (deps.okCodes().includes(attempt.res.status)) return passed(rtt, `${status} from ${detail}`);
      return failed(status, rtt, detail);
    }
    if (errors.length === 0) return failed(noAnswer(ctx.timeoutMs));
    return failed(errors.join('; '));
  };
}

async function optionsTo(
  deps: SipOptionsDeps,
  region: RegionConfig,
  dest: Endpoint,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<Attempt> {
  let sent: ClientRequest;
  try {
    const local = deps.stack.localEndpoint(dest.protocol, dest);
    const t = region.target;
    const uri = `${t.secure ? 'sips' : 'sip'}:${t.host.includes(':') ? `[${t.host}]` : t.host}${t.port === null ? '' : `:${t.port}`}`;
    const req = buildRequest({
      method: 'OPTIONS',
      uri,
      from: `sip:geored@${hostPortText(local)}`,
      to: uri,
      headers: [
        ['Accept', 'application/sdp'],
        ['User-Agent', deps.userAgent ?? 'geored health check'],
      ],
    });
    sent = deps.stack.sendRequest(req, dest, { timeoutMs });
  } catch (err) {
    return { kind: 'transport', error: oneLine(err) };
  }
  const aborted = whenAborted(signal).then((): Attempt => ({ kind: 'timeout' }));
  const answered = sent.final.then((res): Attempt => {
    // The stack answers a timeout with a synthetic 408 and a transport failure with a synthetic 503.
    if (!res.synthetic) return { kind: 'answer', res };
    if (res.status === 408) return { kind: 'timeout' };
    return { kind: 'transport', error: transportText(res) };
  });
  return Promise.race([answered, aborted]);
}

/**
 * A probe over TCP/TLS times out while its connection is still being tried (a handshake slower than the
 * probe's deadline, a peer that drops the SYN): the last attempt's failure, if one failed and none has
 * opened since, says why, e.g. the certificate that expired.
 */
function timeoutText(deps: SipOptionsDeps, dest: Endpoint, timeoutMs: number): string {
  const last = dest.protocol === 'udp' ? undefined : deps.stack.lastConnectFailure(dest);
  const text = noAnswer(timeoutMs);
  return last ? `${text} (last connection attempt: ${detailText(transportFailureText(last))})` : text;
}

function transportText(res: FinalResponse): string {
  const code = res.cause?.code;
  if (code === 'TRANSPORT_CONNECT_REFUSED' || code === 'TRANSPORT_PORT_UNREACHABLE')
    return 'connection refused';
  return res.cause?.message ?? `${res.status} ${res.reason}`;
}
