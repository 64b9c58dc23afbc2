import type { Via } from '../message';
import { detached } from '../message/detach';
import { isReliable, type Endpoint } from '../transport/types';

/** The port a sent-by without one stands for (RFC 3261 §18.2.2, §19.1.2): 5061 for TLS, else 5060. */
export function defaultPort(viaTransport: string): number {
  return viaTransport.toUpperCase() === 'TLS' ? 5061 : 5060;
}

/**
 * Where a server transaction sends its responses (RFC 3261 §18.2.2 with RFC 3581 `rport`).
 *
 * Reliable transports answer on the connection the request came in on, so the source endpoint is the
 * answer. On UDP: `maddr` wins (multicast); otherwise the `received` address (or, when the sender's
 * sent-by was already right and nobody tagged it, the source address: the same host without a DNS look-up)
 * and the `rport` port, else the sent-by port, else the default port.
 */
export function responseDestination(topVia: Via, source: Endpoint): Endpoint {
  if (isReliable(source.protocol)) return source;
  const params = topVia.params;
  const sentByPort = topVia.port ?? defaultPort(topVia.transport);
  const maddr = params['maddr'];
  // The address is held as long as the transaction (Timer J/L: 32 s): detached from the request's text.
  if (maddr) return { protocol: source.protocol, address: detached(stripBrackets(maddr)), port: sentByPort };
  const received = params['received'];
  const rport = params['rport'];
  const port = rport ? Number(rport) : NaN;
  return {
    protocol: source.protocol,
    address: received ? detached(stripBrackets(received)) : source.address,
    port: Number.isInteger(port) && port > 0 && port < 65536 ? port : sentByPort,
  };
}

/** `received` may carry an IPv6 reference in brackets; endpoints hold bare addresses. */
function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}
