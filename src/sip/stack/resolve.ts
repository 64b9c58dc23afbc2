import { createSocket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { parseUriShared, type SipUri, type Uri } from '../message';
import { transportError } from '../transport/node-errors';
import type { Endpoint, TransportProtocol } from '../transport/types';

export interface ResolveOptions {
  /** Forces the transport (e.g. `geored ping --transport tcp`); otherwise `;transport=`, then UDP (TLS for sips:). */
  readonly transport?: TransportProtocol;
}

/** Where a request for a URI goes before DNS: the host, the port if given, and the transport. */
export interface Target {
  readonly host: string;
  readonly port: number | undefined;
  readonly protocol: TransportProtocol;
}

function protocolOf(uri: SipUri, forced: TransportProtocol | undefined): TransportProtocol {
  if (forced) return forced;
  if (uri.scheme === 'sips') return 'tls';
  const param = uri.params['transport']?.toLowerCase();
  if (param === 'tcp' || param === 'tls' || param === 'udp') return param;
  return 'udp';
}

/**
 * Reads the target out of a `sip:`/`sips:` URI. Throws TRANSPORT_BAD_TARGET for anything that cannot be
 * sent to (a tel: URI, an unparseable string, an unknown `;transport=`).
 */
export function targetOf(uriText: string, opts: ResolveOptions = {}): Target {
  let uri: Uri;
  try {
    uri = parseUriShared(uriText);
  } catch (err) {
    throw transportError('TRANSPORT_BAD_TARGET', { uri: uriText, reason: (err as Error).message });
  }
  if (uri.kind !== 'sip') {
    throw transportError('TRANSPORT_BAD_TARGET', {
      uri: uriText,
      reason: `${uri.scheme}: is not a sip: or sips: URI`,
    });
  }
  const param = uri.params['transport']?.toLowerCase();
  if (!opts.transport && param && param !== 'udp' && param !== 'tcp' && param !== 'tls') {
    throw transportError('TRANSPORT_BAD_TARGET', {
      uri: uriText,
      reason: `transport=${param} is not supported`,
    });
  }
  return { host: uri.host, port: uri.port ?? undefined, protocol: protocolOf(uri, opts.transport) };
}

/**
 * The endpoint for a URI: an IP literal as is, a name through the system resolver (`dns.lookup`), port 5060
 * (5061 for TLS) when none is given. This is the seam for RFC 3263 (NAPTR, SRV, then A/AAAA, several
 * targets in order), which the proxy's DNS work replaces it with; until then, one A/AAAA answer.
 */
export async function resolveTarget(uriText: string, opts: ResolveOptions = {}): Promise<Endpoint> {
  const target = targetOf(uriText, opts);
  const port = target.port ?? (target.protocol === 'tls' ? 5061 : 5060);
  if (isIP(target.host)) return { protocol: target.protocol, address: target.host, port };
  try {
    const { address } = await lookup(target.host);
    return { protocol: target.protocol, address, port };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'ENOTFOUND' ? 'no such host' : (code ?? (err as Error).message);
    throw transportError('TRANSPORT_RESOLVE_FAILED', { host: target.host, reason });
  }
}

/**
 * The local address the system would send from to reach `address` (a connected UDP socket sends nothing).
 * A Via sent-by must be an address the peer can answer to, never a wildcard like 0.0.0.0.
 */
export function sourceAddressFor(address: string): Promise<string> {
  const socket = createSocket(isIP(address) === 6 ? 'udp6' : 'udp4');
  return new Promise<string>((resolve, reject) => {
    socket.once('error', reject);
    socket.connect(9, address, () => resolve(socket.address().address));
  }).finally(() => socket.close());
}
