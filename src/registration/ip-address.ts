/** IP address comparison for telling sources apart: textual forms differ (`::1` vs `0:0:0:0:0:0:0:1`). */
import { isIP } from 'node:net';

/**
 * A canonical text for an IP literal: IPv4 as is, IPv4-mapped IPv6 (`::ffff:127.0.0.1`, what a dual-stack
 * socket reports) as IPv4, other IPv6 fully expanded in lower case. Anything else is returned lower-cased.
 */
export function canonicalIp(address: string): string {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  const kind = isIP(bare);
  if (kind === 4) return bare;
  if (kind !== 6) return bare.toLowerCase();
  const lower = bare.toLowerCase().replace(/%.*$/, '');
  const mapped = /^(?:::|(?:0{1,4}:){5})ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (mapped && isIP(mapped[1]!) === 4) return mapped[1]!;
  return expandIpv6(lower);
}

function expandIpv6(v6: string): string {
  let text = v6;
  // A trailing dotted quad stands for the last two groups.
  const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (quad) {
    const [a, b, c, d] = quad.slice(1).map(Number) as [number, number, number, number];
    text = text.slice(0, quad.index) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = 8 - headGroups.length - tailGroups.length;
  const groups = [...headGroups, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...tailGroups];
  return groups.map((g) => g.padStart(4, '0')).join(':');
}

export function sameIp(a: string, b: string): boolean {
  return canonicalIp(a) === canonicalIp(b);
}

/** 127.0.0.0/8, ::1, and IPv4-mapped loopback. */
export function isLoopback(address: string): boolean {
  const c = canonicalIp(address);
  if (isIP(c) === 4) return c.startsWith('127.');
  return c === '0000:0000:0000:0000:0000:0000:0000:0001';
}
