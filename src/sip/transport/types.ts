/**
 * The transport interface: the only part of the transport layer that the transaction layer may import
 * (RFC 3261 §18 sits below §17). Sockets live in the implementations beside this file.
 */
export type TransportProtocol = 'udp' | 'tcp' | 'tls';

/** One end of a SIP hop. `address` is an IP literal without brackets (IPv6 as `::1`). */
export interface Endpoint {
  readonly protocol: TransportProtocol;
  readonly address: string;
  readonly port: number;
}

/** True for transports that deliver reliably, where RFC 3261 §17 turns retransmission timers off. */
export function isReliable(protocol: TransportProtocol): boolean {
  return protocol !== 'udp';
}

export function endpointKey(e: Endpoint): string {
  return `${e.protocol}:${e.address.includes(':') ? `[${e.address}]` : e.address}:${e.port}`;
}

/** What the transport layer hands upward: one framed message's bytes and where it came from. */
export interface Inbound {
  readonly bytes: Buffer;
  readonly source: Endpoint;
  /** The local listening endpoint it arrived on. */
  readonly local: Endpoint;
  /**
   * Set when the message was larger than the parse limit: `bytes` is then only its header section and
   * this is the whole message's size (its body was skipped by the stream framer).
   */
  readonly oversized?: number;
}
