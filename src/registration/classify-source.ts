/**
 * Who sent a request, from its source address and port alone (pure): a region, the PBX, or unknown (the
 * proxy answers 403). Regions win over the PBX: on one machine both may be loopback, and a region's
 * resolved targets are exact (address and port).
 */
import { cidrContains } from '../model/cidr';
import type { Endpoint } from '../sip/transport/types';
import { canonicalIp, isLoopback, sameIp } from './ip-address';

export interface RegionSources {
  readonly region: string;
  /** The region's sip_server resolved (RFC 3263): address and port both match. */
  readonly endpoints: readonly Pick<Endpoint, 'address' | 'port'>[];
  /** `source_addresses`: IPs or CIDRs; any port. */
  readonly sourceAddresses: readonly string[];
}

export interface PbxSources {
  /** Addresses of the PBX's live registered contacts (any port: a PBX sends from other ports than it listens on). */
  readonly registered: readonly Pick<Endpoint, 'address'>[];
  /** `pbx.address` (any port, same reason). */
  readonly address?: Pick<Endpoint, 'address'>;
  /** True when `pbx.address` or `pbx.credentials` is configured: then a PBX is known, not guessed. */
  readonly configured: boolean;
  readonly allowAnyLoopback: boolean;
}

export type SourceKind =
  | { readonly kind: 'region'; readonly region: string; readonly reason: string }
  | { readonly kind: 'pbx'; readonly reason: string }
  | { readonly kind: 'unknown'; readonly reason: string };

export function classifySource(
  source: Pick<Endpoint, 'address' | 'port'>,
  regions: readonly RegionSources[],
  pbx: PbxSources,
): SourceKind {
  const from = `${source.address}:${source.port}`;
  for (const r of regions) {
    if (r.endpoints.some((e) => e.port === source.port && sameIp(e.address, source.address))) {
      return { kind: 'region', region: r.region, reason: `${from} is a resolved target of ${r.region}` };
    }
  }
  const address = canonicalIp(source.address);
  for (const r of regions) {
    const cidr = r.sourceAddresses.find((c) => cidrContains(c, address));
    if (cidr !== undefined) {
      return {
        kind: 'region',
        region: r.region,
        reason: `${from} is in ${r.region}'s source address ${cidr}`,
      };
    }
  }
  if (pbx.registered.some((e) => sameIp(e.address, source.address))) {
    return { kind: 'pbx', reason: `${from} is the PBX's registered contact address` };
  }
  if (pbx.address !== undefined && sameIp(pbx.address.address, source.address)) {
    return { kind: 'pbx', reason: `${from} is the configured PBX address` };
  }
  if (!pbx.configured && pbx.allowAnyLoopback && isLoopback(source.address)) {
    return { kind: 'pbx', reason: `${from} is loopback and no PBX is configured` };
  }
  return { kind: 'unknown', reason: `${from} is neither a region nor the PBX` };
}
