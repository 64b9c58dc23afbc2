/**
 * Where a caller is, from configured rules: the longest matching number prefix (E.164 digits of the
 * calling number), else the first source-address CIDR that contains the request's source address.
 */
import { cidrContains } from '../model/cidr';

export interface GeoPoint {
  readonly latitude: number;
  readonly longitude: number;
}

export interface LocationRule {
  readonly prefix?: string;
  readonly source?: string;
  readonly location: GeoPoint;
}

export interface CallerFacts {
  /** The calling number or user part (From / P-Asserted-Identity), any format. */
  readonly number: string | null;
  readonly sourceAddress: string | null;
}

export interface Located {
  readonly location: GeoPoint;
  readonly because: string;
}

function digits(s: string): string {
  return s.replace(/[^0-9]/g, '');
}

/** CIDR matching is src/model/cidr.ts's, the definition config.yml and the API validate with. */
export { cidrContains };

export function locateCaller(facts: CallerFacts, rules: readonly LocationRule[]): Located | null {
  if (facts.number) {
    const num = digits(facts.number);
    let best: LocationRule | null = null;
    for (const r of rules) {
      if (r.prefix === undefined) continue;
      const p = digits(r.prefix);
      if (p.length > 0 && num.startsWith(p) && (!best || p.length > digits(best.prefix!).length)) best = r;
    }
    if (best) return { location: best.location, because: `calling number matches prefix ${best.prefix}` };
  }
  if (facts.sourceAddress) {
    for (const r of rules) {
      if (r.source !== undefined && cidrContains(r.source, facts.sourceAddress)) {
        return { location: r.location, because: `source address ${facts.sourceAddress} is in ${r.source}` };
      }
    }
  }
  return null;
}

/** Great-circle distance in km (haversine): good enough to rank regions by proximity. */
export function distanceKm(a: GeoPoint, b: GeoPoint): number {
  const rad = Math.PI / 180;
  const dLat = (b.latitude - a.latitude) * rad;
  const dLon = (b.longitude - a.longitude) * rad;
  const h =
    Math.sin(dLat / 2) ** 2 +
    Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.min(1, Math.sqrt(h)));
}
