import { createSocket, type Socket } from 'node:dgram';
import { lookup as dnsLookup, type LookupOneOptions } from 'node:dns';
import { isIP } from 'node:net';
import type { Logger } from 'pino';
import { addressFamily, normalizeAddress } from './address';
import { reasonOf, sendError, transportError } from './node-errors';
import type { ListenSpec, SendErrorHandler } from './options';
import type { Endpoint, Inbound } from './types';
import { endpointKey } from './types';

/** A datagram of only CR/LF is a keep-alive some UAs send over UDP; it is not a SIP message. */
function isOnlyCrlf(buf: Buffer): boolean {
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    if (c !== 0x0d && c !== 0x0a) return false;
  }
  return true;
}

/**
 * dgram resolves every destination through `dns.lookup`, which answers even an IP literal on the next tick:
 * a validation, a closure and a tick per datagram. Our destinations are resolved endpoints (IP literals), so
 * they are answered at once and the datagram goes out in the same turn; a name still goes to the resolver.
 */
function literalLookup(
  address: string,
  options: LookupOneOptions,
  callback: (err: NodeJS.ErrnoException | null, address: string, family: number) => void,
): void {
  const v = isIP(address);
  if (v !== 0) {
    callback(null, address, v);
    return;
  }
  dnsLookup(address, options, callback);
}

/** One UDP socket: a datagram is one message (RFC 3261 §18.3); responses leave through the same socket. */
export interface UdpOptions {
  /** SO_RCVBUF to ask for, bytes; the kernel caps it (net.core.rmem_max). Default: the kernel's. */
  readonly receiveBufferBytes?: number;
}

export class UdpTransport {
  private closed = false;
  /** SO_RCVBUF as the kernel reports it after our request (Linux reports twice what it books). */
  receiveBuffer = 0;

  private constructor(
    private readonly socket: Socket,
    readonly local: Endpoint,
    private readonly log: Logger,
  ) {}

  static bind(
    spec: ListenSpec,
    deliver: (inbound: Inbound) => void,
    log: Logger,
    opts: UdpOptions = {},
  ): Promise<UdpTransport> {
    const family = addressFamily(spec.address);
    const socket = createSocket({
      type: family === 6 ? 'udp6' : 'udp4',
      ipv6Only: family === 6,
      lookup: literalLookup,
    });
    return new Promise((resolve, reject) => {
      const onListenError = (err: Error) => {
        socket.close();
        reject(
          transportError('TRANSPORT_LISTEN_FAILED', {
            endpoint: endpointKey({ ...spec, protocol: 'udp' }),
            reason: reasonOf(err),
          }),
        );
      };
      socket.once('error', onListenError);
      socket.bind(spec.port, spec.address, () => {
        socket.off('error', onListenError);
        const local: Endpoint = { protocol: 'udp', address: spec.address, port: socket.address().port };
        const transport = new UdpTransport(socket, local, log);
        const asked = opts.receiveBufferBytes;
        if (asked !== undefined) {
          try {
            socket.setRecvBufferSize(asked);
          } catch (err) {
            log.warn(
              { local: endpointKey(local), err: reasonOf(err) },
              'could not set the UDP receive buffer',
            );
          }
        }
        transport.receiveBuffer = socket.getRecvBufferSize();
        if (asked !== undefined) {
          log.info(
            { local: endpointKey(local), asked, obtained: transport.receiveBuffer },
            transport.receiveBuffer >= asked
              ? `UDP receive buffer of ${endpointKey(local)}: ${transport.receiveBuffer} bytes`
              : `UDP receive buffer of ${endpointKey(local)}: ${transport.receiveBuffer} bytes, less than the ${asked} asked (raise net.core.rmem_max)`,
          );
        }
        socket.on('message', (bytes, rinfo) => {
          if (isOnlyCrlf(bytes)) return;
          deliver({
            bytes,
            source: { protocol: 'udp', address: normalizeAddress(rinfo.address), port: rinfo.port },
            local,
          });
        });
        // An unconnected UDP socket reports errors only for sends; they reach the send callback too.
        socket.on('error', (err) =>
          log.warn({ err: reasonOf(err), local: endpointKey(local) }, 'udp socket error'),
        );
        resolve(transport);
      });
    });
  }

  get family(): 4 | 6 {
    return addressFamily(this.local.address);
  }

  send(bytes: Buffer, dest: Endpoint, onError?: SendErrorHandler): void {
    if (this.closed) {
      onError?.(transportError('TRANSPORT_CLOSED', { endpoint: endpointKey(dest) }));
      return;
    }
    this.socket.send(bytes, dest.port, dest.address, (err) => {
      if (!err) return;
      if (this.log.isLevelEnabled('debug'))
        this.log.debug({ err: reasonOf(err), dest: endpointKey(dest) }, 'udp send failed');
      onError?.(sendError(err, dest));
    });
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}
