/**
 * Datagrams the kernel dropped on our UDP sockets (a full receive buffer): the `drops` column of
 * /proc/net/udp and /proc/net/udp6 (Linux), matched by local address and port. Elsewhere: null.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { Endpoint } from './types';

/** The local_address column for an endpoint: IPv4 as one little-endian word, IPv6 as four. */
export function procLocalAddress(address: string, port: number): string {
  const p = port.toString(16).toUpperCase().padStart(4, '0');
  if (isIP(address) === 4) {
    const hex = address
      .split('.')
      .map((o) => Number(o).toString(16).toUpperCase().padStart(2, '0'))
      .reverse()
      .join('');
    return `${hex}:${p}`;
  }
  const groups = expand(address);
  let out = '';
  for (let w = 0; w < 4; w++) {
    // Each 32-bit word is printed in host (little-endian) byte order.
    const bytes = [
      groups[w * 2]! >> 8,
      groups[w * 2]! & 0xff,
      groups[w * 2 + 1]! >> 8,
      groups[w * 2 + 1]! & 0xff,
    ];
    out += bytes
      .reverse()
      .map((b) => b.toString(16).toUpperCase().padStart(2, '0'))
      .join('');
  }
  return `${out}:${p}`;
}

function expand(v6: string): number[] {
  const [head = '', tail] = v6.split('::');
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const fill = tail === undefined ? [] : Array<string>(8 - h.length - t.length).fill('0');
  return [...h, ...fill, ...t].map((g) => parseInt(g, 16));
}

/** Drops per endpoint key (`udp:addr:port`), null where the table cannot be read or has no such socket. */
export function readUdpDrops(
  locals: readonly Endpoint[],
  read: (path: string) => string = (p) => readFileSync(p, 'utf8'),
): Array<number | null> {
  const tables = new Map<6 | 4, string[][]>();
  const table = (family: 4 | 6): string[][] => {
    let rows = tables.get(family);
    if (rows === undefined) {
      try {
        rows = read(family === 4 ? '/proc/net/udp' : '/proc/net/udp6')
          .split('\n')
          .slice(1)
          .map((l) => l.trim().split(/\s+/));
      } catch {
        rows = [];
      }
      tables.set(family, rows);
    }
    return rows;
  };
  return locals.map((e) => {
    const family = isIP(e.address) === 6 ? 6 : 4;
    const want = procLocalAddress(e.address, e.port);
    const row = table(family).find((f) => f[1] === want);
    const drops = row?.[12];
    return drops === undefined ? null : Number(drops);
  });
}
