import { errorFactory, type GeoredError } from '../../errors/catalogue';
import { TRANSPORT_ERRORS } from '../../errors/transport';
import type { Endpoint } from './types';
import { endpointKey } from './types';

export const transportError = errorFactory(TRANSPORT_ERRORS);

/** Node socket errors carry a `code` (ECONNREFUSED, ERR_SSL_..., DEPTH_ZERO_SELF_SIGNED_CERT). */
function reasonOf(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    const text = err.message.split('\n')[0] ?? '';
    return code && !text.includes(code) ? `${text} (${code})` : text;
  }
  return String(err);
}

export function codeOf(err: unknown): string | undefined {
  return err instanceof Error ? (err as NodeJS.ErrnoException).code : undefined;
}

/**
 * Maps a failure while opening a connection to one typed error. `tcpConnected` tells a TLS handshake failure
 * (the TCP connection was up) from a failure to reach the peer at all.
 */
export function connectError(err: unknown, dest: Endpoint, tcpConnected: boolean): GeoredError {
  const endpoint = endpointKey(dest);
  const code = codeOf(err);
  if (code === 'ECONNREFUSED') return transportError('TRANSPORT_CONNECT_REFUSED', { endpoint });
  if (dest.protocol === 'tls' && tcpConnected) {
    return transportError('TRANSPORT_TLS_HANDSHAKE_FAILED', { endpoint, reason: reasonOf(err) });
  }
  return transportError('TRANSPORT_CONNECT_FAILED', { endpoint, reason: reasonOf(err) });
}

export function sendError(err: unknown, dest: Endpoint): GeoredError {
  const endpoint = endpointKey(dest);
  if (codeOf(err) === 'ECONNREFUSED') return transportError('TRANSPORT_PORT_UNREACHABLE', { endpoint });
  return transportError('TRANSPORT_SEND_FAILED', { endpoint, reason: reasonOf(err) });
}

export { reasonOf };

/**
 * A transport error in the few words a health reason quotes (`TLS handshake failed: certificate has
 * expired (CERT_HAS_EXPIRED)`, `connection refused`): the endpoint is left out, since the reason already
 * names the region and the probe or call names the destination.
 */
export function transportFailureText(err: GeoredError): string {
  const reason = typeof err.params['reason'] === 'string' ? err.params['reason'] : null;
  switch (err.code) {
    case 'TRANSPORT_CONNECT_REFUSED':
    case 'TRANSPORT_PORT_UNREACHABLE':
      return 'connection refused';
    case 'TRANSPORT_CONNECT_TIMEOUT':
      return `no connection within ${String(err.params['ms'])} ms`;
    case 'TRANSPORT_TLS_HANDSHAKE_FAILED':
      return `TLS handshake failed: ${reason ?? 'unknown reason'}`;
    case 'TRANSPORT_CONNECT_FAILED':
      return `cannot connect: ${reason ?? 'unknown reason'}`;
    case 'TRANSPORT_CONNECTION_LOST':
      return `connection closed: ${reason ?? 'unknown reason'}`;
    default:
      return err.message;
  }
}
