/**
 * IP addresses and CIDR blocks (`203.0.113.7`, `10.0.0.0/8`, `2001:db8::/32`): the one definition of what
 * is a valid block (config.yml's `source_addresses` and `routing.location_rules[].source`, the API's region
 * input) and of whether an address lies in one (caller location, source classification). Only node:net's
 * pure helpers are used (isIP, BlockList): no socket is opened.
 */
import { BlockList, isIP } from 'node:net';

export interface Cidr {
  readonly base: string;
  readonly family: 4 | 6;
  /** Prefix length: 32 or 128 for a single address. */
  readonly bits: number;
}

/** The block `s` names, or null when it is not an IP address or an address/prefix-length. */
export function parseCidr(s: string): Cidr | null {
  const [base = '', len, extra] = s.split('/');
  if (extra !== undefined) return null;
  const kind = isIP(base);
  if (kind === 0) return null;
  const family = kind === 4 ? 4 : 6;
  const max = family === 4 ? 32 : 128;
  if (len === undefined) return { base, family, bits: max };
  if (!/^[0-9]{1,3}$/.test(len) || Number(len) > max) return null;
  return { base, family, bits: Number(len) };
}

export function isCidr(s: string): boolean {
  return parseCidr(s) !== null;
}

const blockLists = new Map<string, BlockList | null>();

/** True when `address` lies in `cidr`; false when either is not valid. */
export function cidrContains(cidr: string, address: string): boolean {
  let list = blockLists.get(cidr);
  if (list === undefined) {
    // BlockList does the IPv4/IPv6 arithmetic; one per block, kept.
    const c = parseCidr(cidr);
    if (c === null) list = null;
    else {
      list = new BlockList();
      list.addSubnet(c.base, c.bits, c.family === 4 ? 'ipv4' : 'ipv6');
    }
    blockLists.set(cidr, list);
  }
  const kind = isIP(address);
  if (!list || kind === 0) return false;
  return list.check(address, kind === 4 ? 'ipv4' : 'ipv6');
}
