import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { StreamFramer } from '../message';
import type { GeoredError } from '../../errors/catalogue';
import { reasonOf, sendError, transportError } from './node-errors';
import type { SendErrorHandler } from './options';
import type { Endpoint, Inbound } from './types';
import { endpointKey } from './types';

const PONG = Buffer.from('\r\n');
const PING = Buffer.from('\r\n\r\n');

interface Pending {
  readonly bytes: Buffer;
  readonly onError: SendErrorHandler | undefined;
}

export type ConnectionState = 'connecting' | 'open' | 'closed';

let nextConnectionId = 1;

/**
 * One TCP or TLS connection: frames the byte stream into messages, answers RFC 5626 keep-alive pings, and
 * queues what is sent while it is still connecting so a caller never waits for the handshake.
 */
export class StreamConnection {
  state: ConnectionState;
  /** Unique in this process (a loss names the connection, not just its endpoint). */
  readonly id = nextConnectionId++;
  /** It carried SIP at some point: its loss can strand transactions (a connect failure is told per send). */
  wasOpen: boolean;
  /** Last time anything was received or sent (ms, performance.now()); the idle sweep reads it. */
  lastActivity = performance.now();
  lastSent = performance.now();
  /** When the bytes now held (a message not yet complete) started arriving; null when nothing is held. */
  partialSince: number | null = null;
  private readonly framer = new StreamFramer();
  private pending: Pending[] = [];
  /** What the connection failed with, for the pending sends and for the `onClose` listener. */
  private failure: GeoredError | undefined;
  /** Closing after an oversized message: what arrives meanwhile is not read. */
  private draining = false;

  constructor(
    readonly socket: Socket,
    readonly remote: Endpoint,
    readonly local: Endpoint,
    /** True when we opened it: only those send keep-alive pings (RFC 5626 §4.4.1, the flow's client). */
    readonly outbound: boolean,
    connected: boolean,
    private readonly deliver: (inbound: Inbound) => void,
    private readonly onClose: (conn: StreamConnection) => void,
    private readonly log: Logger,
  ) {
    this.state = connected ? 'open' : 'connecting';
    this.wasOpen = connected;
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', (err) => {
      // After the connection is up, an error just ends it; connect failures are reported by `fail`.
      if (this.state === 'open' && this.log.isLevelEnabled('debug')) {
        this.log.debug({ remote: endpointKey(remote), err: reasonOf(err) }, 'connection error');
      }
      this.failure ??= transportError('TRANSPORT_CONNECTION_LOST', {
        endpoint: endpointKey(remote),
        reason: reasonOf(err),
      });
    });
    socket.on('close', () => this.closed());
  }

  get key(): string {
    return endpointKey(this.remote);
  }

  /** What it closed with (set once closed). */
  get error(): GeoredError | undefined {
    return this.failure;
  }

  /** The transport calls this once the TCP connection (and TLS handshake) is complete. */
  opened(): void {
    if (this.state !== 'connecting') return;
    this.state = 'open';
    this.wasOpen = true;
    const queued = this.pending;
    this.pending = [];
    for (const p of queued) this.write(p.bytes, p.onError);
  }

  /** Ends a connection that never opened, with the error every queued send is told about. */
  fail(err: GeoredError): void {
    this.failure = err;
    this.socket.destroy();
  }

  write(bytes: Buffer, onError?: SendErrorHandler): void {
    if (this.state === 'connecting') {
      this.pending.push({ bytes, onError });
      return;
    }
    if (this.state === 'closed') {
      onError?.(
        this.failure ??
          transportError('TRANSPORT_CONNECTION_LOST', { endpoint: this.key, reason: 'connection closed' }),
      );
      return;
    }
    this.lastSent = this.lastActivity = performance.now();
    if (onError) {
      this.socket.write(bytes, (err) => {
        // On a connection we opened, a write that fails means the connection is gone: its 'close' follows
        // and the loss is reported once, naming this connection, for every transaction that used it
        // (StreamTransport's onConnectionLost). Reporting each write too would count one reset many times.
        if (err && !(this.outbound && this.wasOpen)) onError(sendError(err, this.remote));
      });
    } else {
      this.socket.write(bytes);
    }
  }

  ping(): void {
    this.write(PING);
  }

  close(): void {
    this.socket.destroy();
  }

  private receive(chunk: Buffer): void {
    if (this.draining) return;
    this.lastActivity = performance.now();
    let framed;
    try {
      framed = this.framer.push(chunk);
    } catch (err) {
      // A peer that breaks framing (oversized message, garbage) loses this connection only.
      this.log.warn(
        { remote: endpointKey(this.remote), err: reasonOf(err) },
        'stream framing error: closing connection',
      );
      this.failure = transportError('TRANSPORT_CONNECTION_LOST', {
        endpoint: this.key,
        reason: reasonOf(err),
      });
      this.socket.destroy();
      return;
    }
    this.partialSince = this.framer.buffered === 0 ? null : (this.partialSince ?? this.lastActivity);
    for (const f of framed) {
      if (f.kind === 'message') {
        this.deliver({ bytes: f.bytes, source: this.remote, local: this.local });
      } else if (f.kind === 'oversized') {
        // The stack answers or ends the transaction from the header section; the body is never read, so
        // framing is lost: close once what the stack wrote (a 513) has gone out.
        this.failure = transportError('TRANSPORT_CONNECTION_LOST', {
          endpoint: this.key,
          reason: 'a message over the size limit',
        });
        this.deliver({ bytes: f.head, source: this.remote, local: this.local, oversized: f.length });
        this.draining = true;
        this.socket.end(() => this.socket.destroy());
        return;
      } else if (f.ping && this.state === 'open') {
        // RFC 5626 §4.4.1: a CRLFCRLF ping is answered with a single CRLF pong.
        this.socket.write(PONG);
      }
      if (this.state === 'closed') return;
    }
  }

  private closed(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    const failure = (this.failure ??= transportError('TRANSPORT_CONNECTION_LOST', {
      endpoint: this.key,
      reason: 'connection closed',
    }));
    const queued = this.pending;
    this.pending = [];
    for (const p of queued) p.onError?.(failure);
    this.onClose(this);
  }
}
