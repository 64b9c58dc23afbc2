import pino, { type Logger } from 'pino';
import type { GeoredError } from '../../errors/catalogue';
import { addressFamily } from './address';
import { transportError } from './node-errors';
import {
  DEFAULT_STREAM_SETTINGS,
  type ListenSpec,
  type SendErrorHandler,
  type StreamSettings,
  type TlsFiles,
} from './options';
import type { StreamTransport } from './stream';
import { createTcpTransport, listenTcp } from './tcp';
import { createTlsTransport, listenTls, loadTlsMaterial } from './tls';
import type { Endpoint, Inbound, TransportProtocol } from './types';
import { endpointKey } from './types';
import { UdpTransport, type UdpOptions } from './udp';
import { readUdpDrops } from './udp-drops';

/** One UDP listener's receive buffer (as granted) and the datagrams the kernel dropped on it (null: unknown). */
export interface UdpSocketStats {
  readonly local: Endpoint;
  readonly receiveBuffer: number;
  readonly drops: number | null;
}

export interface TransportManagerOptions {
  readonly listen: readonly ListenSpec[];
  readonly tls?: TlsFiles;
  readonly stream?: Partial<StreamSettings>;
  readonly udp?: UdpOptions;
  readonly logger?: Logger;
}

/**
 * Every socket geored has, behind one `send(bytes, dest)`: UDP through the listening socket of the
 * destination's address family, TCP and TLS through a connection to the destination (reused, or opened).
 * Failures come back through the per-send error callback, never as exceptions.
 */
export class TransportManager {
  private readonly udp: UdpTransport[] = [];
  private closed = false;

  private constructor(
    private readonly tcp: StreamTransport,
    private readonly tls: StreamTransport,
  ) {}

  static async open(
    opts: TransportManagerOptions,
    deliver: (inbound: Inbound) => void,
  ): Promise<TransportManager> {
    const log = opts.logger ?? pino({ enabled: false });
    const settings: StreamSettings = { ...DEFAULT_STREAM_SETTINGS, ...opts.stream };
    const material = loadTlsMaterial(opts.tls);
    const manager = new TransportManager(
      createTcpTransport(settings, deliver, log),
      createTlsTransport(material, settings, deliver, log),
    );
    try {
      for (const spec of opts.listen) {
        if (spec.protocol === 'udp') manager.udp.push(await UdpTransport.bind(spec, deliver, log, opts.udp));
        else if (spec.protocol === 'tcp') await listenTcp(manager.tcp, spec);
        else await listenTls(manager.tls, spec, material, log);
      }
    } catch (err) {
      await manager.close();
      throw err;
    }
    return manager;
  }

  /** Every bound listening endpoint, with the real port where 0 was asked for. */
  endpoints(): Endpoint[] {
    return [...this.udp.map((u) => u.local), ...this.tcp.endpoints(), ...this.tls.endpoints()];
  }

  /** The listening endpoint of that protocol (and family, when given), for Via sent-by and Contact. */
  localEndpoint(protocol: TransportProtocol, family?: 4 | 6): Endpoint | undefined {
    const all = this.endpoints().filter((e) => e.protocol === protocol);
    return (family ? all.find((e) => addressFamily(e.address) === family) : undefined) ?? all[0];
  }

  /** Receive buffers and kernel drops of the UDP listeners (reads /proc/net/udp{,6}: call it at scrape time). */
  udpStats(): UdpSocketStats[] {
    const drops = readUdpDrops(this.udp.map((u) => u.local));
    return this.udp.map((u, i) => ({
      local: u.local,
      receiveBuffer: u.receiveBuffer,
      drops: drops[i] ?? null,
    }));
  }

  connectionCount(protocol: 'tcp' | 'tls'): number {
    return this.stream(protocol).connectionCount();
  }

  hasConnection(remote: Endpoint): boolean {
    return remote.protocol !== 'udp' && this.stream(remote.protocol).hasConnection(remote);
  }

  /** Why the last TCP/TLS connection attempt to `dest` failed, if none has opened since (UDP: never). */
  lastConnectFailure(dest: Endpoint): GeoredError | undefined {
    return dest.protocol === 'udp' ? undefined : this.stream(dest.protocol).lastConnectFailure(dest);
  }

  send(bytes: Buffer, dest: Endpoint, onError?: SendErrorHandler): void {
    if (this.closed) {
      onError?.(transportError('TRANSPORT_CLOSED', { endpoint: endpointKey(dest) }));
      return;
    }
    if (dest.protocol !== 'udp') {
      this.stream(dest.protocol).send(bytes, dest, onError);
      return;
    }
    const family = addressFamily(dest.address);
    const socket = this.udp.find((u) => u.family === family);
    if (!socket) {
      onError?.(
        transportError('TRANSPORT_NO_SOCKET', { protocol: 'udp', family, endpoint: endpointKey(dest) }),
      );
      return;
    }
    socket.send(bytes, dest, onError);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.udp.map((u) => u.close()), this.tcp.close(), this.tls.close()]);
  }

  private stream(protocol: 'tcp' | 'tls'): StreamTransport {
    return protocol === 'tcp' ? this.tcp : this.tls;
  }
}
