/**
 * Caches RFC 3263 answers per target so the call path never waits on DNS for a name it resolved recently.
 * node's resolver does not expose TTLs for NAPTR/SRV, so entries live for a fixed, configurable time; a
 * failed lookup keeps serving the last good answer (stale beats nothing during a DNS outage).
 */
import {
  resolveSipTarget,
  type DnsClient,
  type ResolveOptions,
  type ResolvedEndpoint,
  type SipTarget,
} from './resolve-target';

interface Entry {
  endpoints: ResolvedEndpoint[];
  expires: number;
  pending: Promise<ResolvedEndpoint[]> | null;
}

export class TargetCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly dns: DnsClient,
    private readonly opts: ResolveOptions & { readonly ttlMs: number; readonly now: () => number },
  ) {}

  private key(t: SipTarget): string {
    return `${t.secure ? 'sips' : 'sip'}:${t.host}:${t.port ?? ''}:${t.transport ?? ''}`;
  }

  /** The last answer for `target`, if any, without waiting. */
  peek(target: SipTarget): ResolvedEndpoint[] | undefined {
    return this.entries.get(this.key(target))?.endpoints;
  }

  async resolve(target: SipTarget): Promise<ResolvedEndpoint[]> {
    const key = this.key(target);
    const entry = this.entries.get(key);
    const now = this.opts.now();
    if (entry && entry.expires > now) return entry.endpoints;
    if (entry?.pending) return entry.pending;
    const pending = resolveSipTarget(target, this.dns, this.opts).then(
      (endpoints) => {
        this.entries.set(key, { endpoints, expires: this.opts.now() + this.opts.ttlMs, pending: null });
        return endpoints;
      },
      (e: unknown) => {
        if (entry && entry.endpoints.length > 0) {
          entry.pending = null;
          return entry.endpoints;
        }
        this.entries.delete(key);
        throw e;
      },
    );
    this.entries.set(key, { endpoints: entry?.endpoints ?? [], expires: 0, pending });
    return pending;
  }
}
