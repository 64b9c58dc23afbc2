import { isIP } from 'node:net';

/**
 * A dual-stack socket reports IPv4 peers as `::ffff:a.b.c.d`; SIP (Via received, connection keys) wants the
 * plain IPv4 form so that one peer has one key however it reached us.
 */
export function normalizeAddress(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

export function addressFamily(address: string): 4 | 6 {
  return isIP(address) === 6 ? 6 : 4;
}

/** `host:port` with IPv6 in brackets, as it appears in a Via sent-by or a URI. */
export function hostPort(address: string, port: number): string {
  return `${address.includes(':') ? `[${address}]` : address}:${port}`;
}
