/**
 * Where a region's probes go: its `sip_server` resolved per RFC 3263 (the proxy's TargetCache fits
 * `ResolveEndpoints`), in the order calls would try them.
 */
import type { SipTarget } from '../../config/types';
import type { Endpoint } from '../../sip/transport/types';
import { oneLine } from './outcome';

export type ResolveEndpoints = (target: SipTarget) => Promise<readonly Endpoint[]>;

export type Resolved = { ok: true; endpoints: readonly Endpoint[] } | { ok: false; error: string };

export async function endpointsOf(resolve: ResolveEndpoints, target: SipTarget): Promise<Resolved> {
  try {
    const endpoints = await resolve(target);
    if (endpoints.length === 0) return { ok: false, error: `${target.host} resolves to no usable address` };
    return { ok: true, endpoints };
  } catch (err) {
    return { ok: false, error: `cannot resolve ${target.host}: ${oneLine(err)}` };
  }
}

export function hostPortText(e: Endpoint): string {
  return `${e.address.includes(':') ? `[${e.address}]` : e.address}:${e.port}`;
}
