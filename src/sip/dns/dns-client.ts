/**
 * The DNS client RFC 3263 lookups go through: node's Resolver, on the servers given (IP, IP:port or
 * [v6]:port), else on the system's (/etc/resolv.conf). One function, so every lookup path uses the same.
 */
import { Resolver } from 'node:dns/promises';
import type { DnsClient } from './resolve-target';

export function dnsClient(servers?: readonly string[]): DnsClient {
  const resolver = new Resolver();
  if (servers !== undefined && servers.length > 0) resolver.setServers([...servers]);
  return resolver;
}
