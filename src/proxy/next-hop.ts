/** Where a URI or a Via sends us: an endpoint, without DNS when the host is an IP literal (the usual case). */
import { isIP } from 'node:net';
import type { Via } from '../sip/message';
import { resolveTarget, targetOf } from '../sip/stack';
import type { Endpoint, TransportProtocol } from '../sip/transport/types';

/** The endpoint of a URI whose host is an IP literal; null when DNS is needed. Throws on an unusable URI. */
export function literalEndpoint(uriText: string): Endpoint | null {
  const t = targetOf(uriText);
  if (!isIP(t.host)) return null;
  return { protocol: t.protocol, address: t.host, port: t.port ?? (t.protocol === 'tls' ? 5061 : 5060) };
}

export async function hopEndpoint(uriText: string): Promise<Endpoint> {
  return literalEndpoint(uriText) ?? resolveTarget(uriText);
}

/** RFC 3261 §18.2.2 with RFC 3581: where a response goes for this Via (received, rport, then sent-by). */
export function viaDestination(v: Via): Endpoint | null {
  const protocol = v.transport.toLowerCase() as TransportProtocol;
  if (protocol !== 'udp' && protocol !== 'tcp' && protocol !== 'tls') return null;
  const address = v.params['received'] ?? v.host;
  if (!isIP(address)) return null;
  const rport = v.params['rport'];
  const port = rport ? Number(rport) : (v.port ?? (protocol === 'tls' ? 5061 : 5060));
  return { protocol, address, port };
}
