/** RegionConfig values for check tests: only loopback targets, every other field at its plain default. */
import type { RegionConfig, SipTarget } from '../../../src/config/types';
import type { TransportProtocol } from '../../../src/sip/transport/types';

export function region(
  name: string,
  host: string,
  port: number | null,
  more: Partial<RegionConfig> & { transport?: TransportProtocol } = {},
): RegionConfig {
  const transport = more.transport ?? 'udp';
  const target: SipTarget = { host, port, transport: more.transport ?? null, secure: false };
  const hp = host.includes(':') ? `[${host}]` : host;
  return {
    name,
    priority: 1,
    trunk_id: `trunk-${name}`,
    sip_server: port === null ? hp : `${hp}:${port}`,
    target,
    transport,
    capabilities: [],
    weight: 1,
    source_addresses: [],
    rewrite_headers: [],
    ...more,
  };
}

/** A context whose deadline the check must honour on its own (nothing aborts it early). */
export function ctx(timeoutMs: number, signal: AbortSignal = new AbortController().signal) {
  return { timeoutMs, signal };
}
