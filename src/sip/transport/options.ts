import type { GeoredError } from '../../errors/catalogue';
import type { Endpoint, TransportProtocol } from './types';

/** One configured listening socket; port 0 asks the system for a free port (the bound one is reported). */
export interface ListenSpec {
  readonly protocol: TransportProtocol;
  readonly address: string;
  readonly port: number;
}

/** TLS material as file paths (PEM). Without cert and key the TLS transport can connect but not listen. */
export interface TlsFiles {
  readonly cert?: string;
  readonly key?: string;
  /** Trusted CA certificates for verifying peers; the system store when absent. */
  readonly ca?: string;
  /** Verify the peer's certificate when connecting out (default true). */
  readonly rejectUnauthorized?: boolean;
  /** Ask inbound TLS clients for a certificate and verify it against `ca` (default false). */
  readonly requestClientCert?: boolean;
}

export interface StreamSettings {
  /** Give up opening a TCP/TLS connection after this long. */
  readonly connectTimeoutMs: number;
  /** Close a connection that carried nothing (not even a keep-alive) for this long; 0 = never. */
  readonly idleTimeoutMs: number;
  /** Send an RFC 5626 CRLFCRLF ping on idle connections we opened, this often; 0 = never. */
  readonly keepAliveIntervalMs: number;
  /**
   * Connections accepted from peers, per protocol; more are refused. Kept apart from the outbound pool, so
   * strangers filling it cannot stop geored from connecting to a region (or the PBX) itself.
   */
  readonly maxInboundConnections: number;
  /** Connections geored opens, per protocol. */
  readonly maxOutboundConnections: number;
  /** Accepted connections one remote IP may hold at once. */
  readonly maxConnectionsPerSource: number;
  /** A message started but not complete for this long (a slow sender) closes its connection; 0 = never. */
  readonly messageTimeoutMs: number;
  /** Told of each inbound connection refused or closed by one of these limits (for a metric). */
  readonly onRefused?: (event: ConnectionRefused) => void;
  /**
   * Told when a connection that was open closes (a RST, the peer's close, a framing error, our idle close):
   * the stack fails the client transactions whose requests went over it (RFC 3261 §17.1.4, §18.4).
   */
  readonly onConnectionLost?: (event: ConnectionLost) => void;
}

export interface ConnectionLost {
  readonly remote: Endpoint;
  /** Unique in this process: several losses of connections to one endpoint are told apart. */
  readonly connection: number;
  readonly error: GeoredError;
}

export interface ConnectionRefused {
  readonly protocol: TransportProtocol;
  readonly remoteAddress: string;
  readonly reason: 'inbound_limit' | 'per_source' | 'message_timeout';
}

export const DEFAULT_STREAM_SETTINGS: StreamSettings = {
  connectTimeoutMs: 5_000,
  idleTimeoutMs: 300_000,
  keepAliveIntervalMs: 0,
  maxInboundConnections: 1_024,
  maxOutboundConnections: 1_024,
  maxConnectionsPerSource: 64,
  messageTimeoutMs: 10_000,
};

/** Called when bytes handed to `send` could not be delivered (connect failed, connection lost...). */
export type SendErrorHandler = (err: GeoredError) => void;
