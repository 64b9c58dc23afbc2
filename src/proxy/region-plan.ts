/**
 * Everything per region the call path needs, computed when the region's runtime object changes (new
 * configuration, new DNS answer, new RTT), never per call.
 */
import type { ProxyConfig } from '../config/types';
import { DigestClient } from '../sip/auth';
import { formatHost } from '../sip/message';
import type { Endpoint } from '../sip/transport/types';
import type { ChainRegion } from './failover-chain';
import { compileRewrites, type Rewrite } from './header-rewrite';
import type { RegionRuntime } from './types';

export interface RegionPlan {
  readonly name: string;
  readonly endpoints: readonly Endpoint[];
  /** `@host[:port]` appended to the dialled user to make the Request-URI sent to this region. */
  readonly uriSuffix: string;
  readonly rewrite: Rewrite | null;
  readonly digest: DigestClient | null;
  readonly chain: ChainRegion;
}

export function planRegion(r: RegionRuntime, proxy: ProxyConfig): RegionPlan {
  const first = r.endpoints[0];
  const host =
    r.request_uri_host ?? (first ? `${formatHost(first.address)}:${first.port}` : 'invalid.invalid');
  const transport =
    !r.request_uri_host && first && first.protocol !== 'udp' ? `;transport=${first.protocol}` : '';
  const rtt = r.rttMs ?? 0;
  return {
    name: r.name,
    endpoints: r.endpoints,
    uriSuffix: `@${host}${transport}`,
    rewrite: compileRewrites(r.rewrite_headers ?? []),
    digest: r.credentials
      ? new DigestClient({
          credentials: {
            username: r.credentials.username,
            password: r.credentials.password,
            ...(r.credentials.realm !== undefined && { realm: r.credentials.realm }),
          },
        })
      : null,
    chain: {
      name: r.name,
      endpoints: r.endpoints.length,
      // Three round trips: a region answering slowly but surely must not be mistaken for a dead one.
      provisionalTimeoutMs: Math.max(proxy.provisional_timeout_ms, 3 * rtt),
      timerCMs: proxy.timer_c_ms,
      hasCredentials: r.credentials !== undefined,
    },
  };
}

/** Caches plans by runtime object identity: a provider that returns the same object gets the same plan. */
export class RegionPlans {
  private readonly byRuntime = new WeakMap<RegionRuntime, RegionPlan>();
  private lastList: readonly RegionRuntime[] | null = null;
  private byName = new Map<string, RegionPlan>();

  constructor(
    private readonly source: () => readonly RegionRuntime[],
    private readonly proxy: ProxyConfig,
  ) {}

  /** The plans by name, rebuilt only when the provider returns a different list. */
  current(): Map<string, RegionPlan> {
    const list = this.source();
    if (list === this.lastList) return this.byName;
    const next = new Map<string, RegionPlan>();
    for (const r of list) {
      let p = this.byRuntime.get(r);
      if (!p) {
        p = planRegion(r, this.proxy);
        this.byRuntime.set(r, p);
      }
      next.set(r.name, p);
    }
    this.lastList = list;
    this.byName = next;
    return next;
  }

  get(name: string): RegionPlan | undefined {
    return this.current().get(name);
  }
}
