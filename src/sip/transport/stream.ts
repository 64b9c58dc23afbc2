import type { Server, Socket } from 'node:net';
import type { Logger } from 'pino';
import { addressFamily, normalizeAddress } from './address';
import { StreamConnection } from './connection';
import type { GeoredError } from '../../errors/catalogue';
import { connectError, reasonOf, transportError } from './node-errors';
import type { ListenSpec, SendErrorHandler, StreamSettings } from './options';
import type { Endpoint, Inbound, TransportProtocol } from './types';
import { endpointKey } from './types';

/** Destinations whose last connect failure is remembered (lastConnectFailure); the oldest goes first. */
const MAX_CONNECT_FAILURES = 1024;

/** Opens a socket to `dest`; `ready` is the event after which the connection may carry SIP. */
export type StreamDialer = (dest: Endpoint) => { socket: Socket; ready: 'connect' | 'secureConnect' };

/** Builds a listening server that hands every accepted (for TLS: handshaken) socket to `accept`. */
export type ServerFactory = (accept: (socket: Socket) => void) => Server;

/**
 * The connection-oriented transports (TCP and TLS share everything but the socket type): listeners, one
 * connection per remote endpoint reused in both directions (RFC 3261 §18: a response goes back on the
 * connection its request came in on), the connection limit, and one sweep timer for idle connections and
 * RFC 5626 keep-alive pings.
 */
export class StreamTransport {
  private readonly listeners: Array<{ server: Server; local: Endpoint }> = [];
  private readonly connections = new Map<string, StreamConnection>();
  /** Every live connection, including ones replaced in the map by a newer one to the same endpoint. */
  private readonly live = new Set<StreamConnection>();
  /** Accepted connections per remote IP, and in all; and the ones we opened. */
  private readonly perSource = new Map<string, number>();
  private inbound = 0;
  private outbound = 0;
  /**
   * The last failed attempt to open a connection, per destination, until one opens: a probe that times
   * out while the connection is still being tried can say why the last attempt failed. Bounded (oldest
   * dropped), since destinations include whatever a request or response named.
   */
  private readonly connectFailures = new Map<string, GeoredError>();
  private sweepTimer: NodeJS.Timeout | undefined;
  private closed = false;
  rejectedConnections = 0;

  constructor(
    readonly protocol: TransportProtocol,
    private readonly settings: StreamSettings,
    private readonly dial: StreamDialer,
    private readonly deliver: (inbound: Inbound) => void,
    private readonly log: Logger,
  ) {
    const { idleTimeoutMs, keepAliveIntervalMs, messageTimeoutMs } = settings;
    const periods = [idleTimeoutMs, keepAliveIntervalMs, messageTimeoutMs].filter((p) => p > 0);
    if (periods.length > 0) {
      // A quarter of the shortest period keeps the sweep's lateness small without a timer per connection.
      const every = Math.max(50, Math.min(...periods) / 4);
      this.sweepTimer = setInterval(() => this.sweep(), every);
      this.sweepTimer.unref();
    }
  }

  listen(spec: ListenSpec, createServer: ServerFactory): Promise<Endpoint> {
    const endpoint = endpointKey({ ...spec, protocol: this.protocol });
    return new Promise((resolve, reject) => {
      let local: Endpoint | undefined;
      const server = createServer((socket) => {
        if (local) this.adopt(socket, local);
        else socket.destroy();
      });
      const onListenError = (err: Error) =>
        reject(transportError('TRANSPORT_LISTEN_FAILED', { endpoint, reason: reasonOf(err) }));
      server.once('error', onListenError);
      server.listen(
        { port: spec.port, host: spec.address, ipv6Only: addressFamily(spec.address) === 6 },
        () => {
          server.off('error', onListenError);
          server.on('error', (err) => this.log.warn({ endpoint, err: reasonOf(err) }, 'listener error'));
          const address = server.address();
          const port = typeof address === 'object' && address ? address.port : spec.port;
          local = { protocol: this.protocol, address: spec.address, port };
          this.listeners.push({ server, local });
          resolve(local);
        },
      );
    });
  }

  endpoints(): Endpoint[] {
    return this.listeners.map((l) => l.local);
  }

  connectionCount(): number {
    return this.live.size;
  }

  /** True when a connection to `remote` is open or opening (a response can go back on it). */
  hasConnection(remote: Endpoint): boolean {
    const conn = this.connections.get(endpointKey(remote));
    return conn !== undefined && conn.state !== 'closed';
  }

  /** Why the last attempt to connect to `dest` failed, if no connection to it has opened since. */
  lastConnectFailure(dest: Endpoint): GeoredError | undefined {
    return this.connectFailures.get(endpointKey(dest));
  }

  send(bytes: Buffer, dest: Endpoint, onError?: SendErrorHandler): void {
    if (this.closed) {
      onError?.(transportError('TRANSPORT_CLOSED', { endpoint: endpointKey(dest) }));
      return;
    }
    let conn = this.connections.get(endpointKey(dest));
    if (!conn || conn.state === 'closed') {
      if (this.outbound >= this.settings.maxOutboundConnections) {
        onError?.(
          transportError('TRANSPORT_CONNECTION_LIMIT', {
            max: this.settings.maxOutboundConnections,
            endpoint: endpointKey(dest),
          }),
        );
        return;
      }
      conn = this.connect(dest);
    }
    conn.write(bytes, onError);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    for (const conn of this.live) conn.close();
    await Promise.all(
      this.listeners.map((l) => new Promise<void>((resolve) => l.server.close(() => resolve()))),
    );
  }

  private localFor(family: 4 | 6): Endpoint {
    const listener = this.listeners.find((l) => addressFamily(l.local.address) === family);
    return listener?.local ?? { protocol: this.protocol, address: family === 6 ? '::' : '0.0.0.0', port: 0 };
  }

  private adopt(socket: Socket, local: Endpoint): void {
    const address = normalizeAddress(socket.remoteAddress ?? '');
    const reason = this.closed
      ? 'closed'
      : this.inbound >= this.settings.maxInboundConnections
        ? 'inbound_limit'
        : (this.perSource.get(address) ?? 0) >= this.settings.maxConnectionsPerSource
          ? 'per_source'
          : null;
    if (reason !== null) {
      this.rejectedConnections++;
      if (reason !== 'closed')
        this.settings.onRefused?.({ protocol: this.protocol, remoteAddress: address, reason });
      if (this.log.isLevelEnabled('debug'))
        this.log.debug({ local: endpointKey(local), remote: address, reason }, 'connection refused');
      socket.destroy();
      return;
    }
    const remote: Endpoint = { protocol: this.protocol, address, port: socket.remotePort ?? 0 };
    socket.setNoDelay(true);
    this.track(new StreamConnection(socket, remote, local, false, true, this.deliver, this.forget, this.log));
  }

  private connect(dest: Endpoint): StreamConnection {
    const { socket, ready } = this.dial(dest);
    socket.setNoDelay(true);
    const conn = new StreamConnection(
      socket,
      dest,
      this.localFor(addressFamily(dest.address)),
      true,
      false,
      this.deliver,
      this.forget,
      this.log,
    );
    let tcpConnected = false;
    const fail = (err: GeoredError) => {
      this.noteConnectFailure(conn.key, err);
      conn.fail(err);
    };
    const timer = setTimeout(
      () =>
        fail(
          transportError('TRANSPORT_CONNECT_TIMEOUT', {
            endpoint: endpointKey(dest),
            ms: this.settings.connectTimeoutMs,
          }),
        ),
      this.settings.connectTimeoutMs,
    );
    socket.once('connect', () => (tcpConnected = true));
    socket.once(ready, () => {
      clearTimeout(timer);
      this.connectFailures.delete(conn.key);
      conn.opened();
    });
    socket.once('error', (err) => {
      if (conn.state === 'connecting') fail(connectError(err, dest, tcpConnected));
    });
    socket.once('close', () => clearTimeout(timer));
    this.track(conn);
    return conn;
  }

  private noteConnectFailure(key: string, err: GeoredError): void {
    this.connectFailures.delete(key); // re-inserted last: the map's order is the eviction order
    this.connectFailures.set(key, err);
    if (this.connectFailures.size > MAX_CONNECT_FAILURES) {
      const oldest = this.connectFailures.keys().next().value;
      if (oldest !== undefined) this.connectFailures.delete(oldest);
    }
  }

  private track(conn: StreamConnection): void {
    this.live.add(conn);
    this.connections.set(conn.key, conn);
    if (conn.outbound) this.outbound++;
    else {
      this.inbound++;
      this.perSource.set(conn.remote.address, (this.perSource.get(conn.remote.address) ?? 0) + 1);
    }
  }

  private readonly forget = (conn: StreamConnection): void => {
    if (!this.live.delete(conn)) return;
    if (this.connections.get(conn.key) === conn) this.connections.delete(conn.key);
    if (conn.outbound) this.outbound--;
    else {
      this.inbound--;
      const n = (this.perSource.get(conn.remote.address) ?? 1) - 1;
      if (n <= 0) this.perSource.delete(conn.remote.address);
      else this.perSource.set(conn.remote.address, n);
    }
    // Once forgotten, so a transaction the listener fails (and its TU retries) opens a new connection
    // rather than writing to the dead one.
    if (conn.wasOpen && conn.error && !this.closed)
      this.settings.onConnectionLost?.({ remote: conn.remote, connection: conn.id, error: conn.error });
  };

  private sweep(): void {
    const now = performance.now();
    const { idleTimeoutMs, keepAliveIntervalMs, messageTimeoutMs } = this.settings;
    for (const conn of this.live) {
      if (conn.state !== 'open') continue;
      // A slow sender (one byte a second keeps the idle timer happy) holds a connection without ever
      // completing a message: its connection goes once a message has been arriving for too long.
      if (
        messageTimeoutMs > 0 &&
        !conn.outbound &&
        conn.partialSince !== null &&
        now - conn.partialSince >= messageTimeoutMs
      ) {
        this.settings.onRefused?.({
          protocol: this.protocol,
          remoteAddress: conn.remote.address,
          reason: 'message_timeout',
        });
        if (this.log.isLevelEnabled('debug'))
          this.log.debug({ remote: conn.key }, 'closing a connection whose message never completed');
        conn.close();
        continue;
      }
      if (idleTimeoutMs > 0 && now - conn.lastActivity >= idleTimeoutMs) {
        if (this.log.isLevelEnabled('debug')) this.log.debug({ remote: conn.key }, 'closing idle connection');
        conn.close();
      } else if (conn.outbound && keepAliveIntervalMs > 0 && now - conn.lastSent >= keepAliveIntervalMs) {
        conn.ping();
      }
    }
  }
}
