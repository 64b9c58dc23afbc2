/** Host names, IP literals, host:port, listen addresses and CIDRs as the config file writes them. */
import { isIP } from 'node:net';
import type { TransportProtocol } from '../sip/transport/types';
import type { ListenSpec } from './types';

const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

export function isHostname(s: string): boolean {
  const name = s.endsWith('.') ? s.slice(0, -1) : s;
  if (name.length === 0 || name.length > 253) return false;
  // All-numeric dotted names are malformed IPv4 addresses, not host names.
  if (/^[0-9.]+$/.test(name)) return isIP(name) === 4;
  return name.split('.').every((label) => LABEL.test(label));
}

/** A host name or IP literal (IPv6 with or without brackets); returns the host without brackets. */
export function parseHost(s: string): string | null {
  if (s.startsWith('[') && s.endsWith(']')) {
    const inner = s.slice(1, -1);
    return isIP(inner) === 6 ? inner : null;
  }
  if (isIP(s) !== 0) return s;
  return isHostname(s) ? s : null;
}

export function parsePort(s: string, allowZero: boolean): number | null {
  if (!/^[0-9]{1,5}$/.test(s)) return null;
  const port = Number(s);
  return port <= 65535 && (allowZero || port > 0) ? port : null;
}

/**
 * `host`, `host:port`, `[v6]`, `[v6]:port` or a bare IPv6 literal. A bare IPv6 literal has no port:
 * without brackets the last group cannot be told from a port.
 */
export function parseHostPort(
  s: string,
  allowZeroPort = false,
): { host: string; port: number | null } | null {
  if (isIP(s) === 6) return { host: s, port: null };
  const bracketed = /^(\[[^\]]+\])(?::([^:]*))?$/.exec(s);
  const plain = /^([^:[\]]+)(?::([^:]*))?$/.exec(s);
  const m = bracketed ?? plain;
  if (!m) return null;
  const host = parseHost(m[1]!);
  if (host === null) return null;
  if (m[2] === undefined) return { host, port: null };
  const port = parsePort(m[2], allowZeroPort);
  return port === null ? null : { host, port };
}

/** An IP literal and port for a socket to bind: `127.0.0.1:8080`, `[::1]:8080` (port 0: any free port). */
export function parseBindAddress(s: string): { address: string; port: number } | null {
  const hp = parseHostPort(s, true);
  if (!hp || hp.port === null || isIP(hp.host) === 0) return null;
  return { address: hp.host, port: hp.port };
}

const PROTOCOLS: readonly TransportProtocol[] = ['udp', 'tcp', 'tls'];

/** `udp:127.0.0.1:5060`, `tcp:[::1]:5060`, `tls:0.0.0.0:5061`. */
export function parseListen(s: string): ListenSpec | null {
  const colon = s.indexOf(':');
  const protocol = s.slice(0, colon).toLowerCase() as TransportProtocol;
  if (colon < 0 || !PROTOCOLS.includes(protocol)) return null;
  const bind = parseBindAddress(s.slice(colon + 1));
  return bind ? { protocol, ...bind } : null;
}

export function formatListen(l: ListenSpec): string {
  return `${l.protocol}:${l.address.includes(':') ? `[${l.address}]` : l.address}:${l.port}`;
}

/** An IP address or CIDR block: `203.0.113.7`, `10.0.0.0/8`, `2001:db8::/32` (src/model/cidr.ts). */
export { isCidr } from '../model/cidr';
