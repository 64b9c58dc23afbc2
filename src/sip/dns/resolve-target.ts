/**
 * RFC 3263 §4: turning a SIP server name into an ordered list of (transport, address, port) to try.
 * NAPTR picks the transport, SRV the hosts and ports (priority, then RFC 2782 weighted order), A/AAAA the
 * addresses. A numeric host or an explicit port skips the steps the RFC says to skip. The DNS client is
 * passed in (node's dns.promises.Resolver fits), so tests point it at a real DNS server on loopback.
 */
import { isIP } from 'node:net';
import type { NaptrRecord, SrvRecord } from 'node:dns';
import type { Endpoint, TransportProtocol } from '../transport/types';

export interface SipTarget {
  readonly host: string;
  readonly port: number | null;
  readonly transport: TransportProtocol | null;
  /** sips: URI — only TLS may be used. */
  readonly secure: boolean;
}

export interface ResolvedEndpoint extends Endpoint {
  /** The name the address came from, for logs and the TLS server name. */
  readonly hostname: string;
  readonly via: 'literal' | 'a' | 'srv' | 'naptr';
}

export interface DnsClient {
  resolveNaptr(name: string): Promise<NaptrRecord[]>;
  resolveSrv(name: string): Promise<SrvRecord[]>;
  resolve4(name: string): Promise<string[]>;
  resolve6(name: string): Promise<string[]>;
}

export interface ResolveOptions {
  /** Transports this element can use, in its order of preference. */
  readonly supported: readonly TransportProtocol[];
  /** Uniform in [0, 1): the RFC 2782 weighted pick. */
  readonly random: () => number;
}

const DEFAULT_PORT: Record<TransportProtocol, number> = { udp: 5060, tcp: 5060, tls: 5061 };
const NAPTR_SERVICE: Record<string, TransportProtocol> = {
  'SIP+D2U': 'udp',
  'SIP+D2T': 'tcp',
  'SIPS+D2T': 'tls',
};
const SRV_PREFIX: Record<TransportProtocol, string> = {
  udp: '_sip._udp.',
  tcp: '_sip._tcp.',
  tls: '_sips._tcp.',
};

/** Answers that mean "no such record": the next RFC 3263 step runs instead. */
function isNoData(e: unknown): boolean {
  const code = (e as { code?: string }).code;
  return code === 'ENODATA' || code === 'ENOTFOUND' || code === 'NOTFOUND' || code === 'ENONAME';
}

async function orEmpty<T>(p: Promise<T[]>): Promise<T[]> {
  try {
    return await p;
  } catch (e) {
    if (isNoData(e)) return [];
    throw e;
  }
}

/** RFC 2782 ordering: ascending priority; within one priority a weighted random order. */
export function orderSrv(records: readonly SrvRecord[], random: () => number): SrvRecord[] {
  const byPriority = new Map<number, SrvRecord[]>();
  for (const r of records) byPriority.set(r.priority, [...(byPriority.get(r.priority) ?? []), r]);
  const out: SrvRecord[] = [];
  for (const prio of [...byPriority.keys()].sort((a, b) => a - b)) {
    // Zero weights first, as RFC 2782 asks, so they get a small chance rather than none.
    const pool = [...byPriority.get(prio)!].sort((a, b) => a.weight - b.weight);
    while (pool.length > 0) {
      const total = pool.reduce((s, r) => s + r.weight, 0);
      const point = random() * total;
      let running = 0;
      let i = pool.findIndex((r) => (running += r.weight) > point);
      if (i < 0) i = 0;
      out.push(pool.splice(i, 1)[0]!);
    }
  }
  return out;
}

async function addresses(dns: DnsClient, host: string): Promise<string[]> {
  const [v4, v6] = await Promise.all([orEmpty(dns.resolve4(host)), orEmpty(dns.resolve6(host))]);
  return [...v4, ...v6];
}

async function fromSrv(
  dns: DnsClient,
  name: string,
  transport: TransportProtocol,
  opts: ResolveOptions,
  via: 'srv' | 'naptr',
): Promise<ResolvedEndpoint[]> {
  const records = orderSrv(await orEmpty(dns.resolveSrv(name)), opts.random);
  const out: ResolvedEndpoint[] = [];
  for (const srv of records) {
    // A target of "." means the service is decidedly not available at this domain (RFC 2782).
    if (srv.name === '.' || srv.name === '') continue;
    for (const address of await addresses(dns, srv.name)) {
      out.push({ protocol: transport, address, port: srv.port, hostname: srv.name, via });
    }
  }
  return out;
}

export async function resolveSipTarget(
  target: SipTarget,
  dns: DnsClient,
  opts: ResolveOptions,
): Promise<ResolvedEndpoint[]> {
  const usable = opts.supported.filter((t) => !target.secure || t === 'tls');
  const host = target.host.replace(/^\[(.*)\]$/, '$1');
  const pick = (t: TransportProtocol | null): TransportProtocol | null =>
    t === null ? null : usable.includes(t) ? t : null;

  // §4.1: a numeric IP, or an explicit port, fixes the transport without NAPTR; UDP unless sips.
  const explicit = pick(target.transport);
  if (target.transport !== null && explicit === null) return [];
  const fallback = explicit ?? (target.secure ? 'tls' : usable.includes('udp') ? 'udp' : usable[0]) ?? null;
  if (fallback === null) return [];
  if (isIP(host) !== 0) {
    return [
      {
        protocol: fallback,
        address: host,
        port: target.port ?? DEFAULT_PORT[fallback],
        hostname: host,
        via: 'literal',
      },
    ];
  }
  if (target.port !== null) {
    return (await addresses(dns, host)).map((address) => ({
      protocol: fallback,
      address,
      port: target.port!,
      hostname: host,
      via: 'a' as const,
    }));
  }
  if (explicit !== null) {
    // §4.1: transport known, no port: SRV for that transport, else A/AAAA with the default port.
    const srv = await fromSrv(dns, SRV_PREFIX[explicit] + host, explicit, opts, 'srv');
    if (srv.length > 0) return srv;
  } else {
    // §4.1: NAPTR first, keeping services we support, in order then preference.
    const naptr = (await orEmpty(dns.resolveNaptr(host)))
      .filter((r) => r.flags.toLowerCase() === 's' && NAPTR_SERVICE[r.service.toUpperCase()] !== undefined)
      .filter((r) => usable.includes(NAPTR_SERVICE[r.service.toUpperCase()]!))
      .sort((a, b) => a.order - b.order || a.preference - b.preference);
    const out: ResolvedEndpoint[] = [];
    for (const r of naptr) {
      out.push(
        ...(await fromSrv(dns, r.replacement, NAPTR_SERVICE[r.service.toUpperCase()]!, opts, 'naptr')),
      );
    }
    if (out.length > 0) return out;
    // No NAPTR: SRV for each supported transport, in our order of preference.
    for (const t of usable) out.push(...(await fromSrv(dns, SRV_PREFIX[t] + host, t, opts, 'srv')));
    if (out.length > 0) return out;
  }
  return (await addresses(dns, host)).map((address) => ({
    protocol: fallback,
    address,
    port: DEFAULT_PORT[fallback],
    hostname: host,
    via: 'a' as const,
  }));
}
