import { connect, createServer } from 'node:net';
import type { Logger } from 'pino';
import type { ListenSpec, StreamSettings } from './options';
import { StreamTransport } from './stream';
import type { Endpoint, Inbound } from './types';

/** SIP over TCP (RFC 3261 §18): plain sockets, framed by Content-Length. */
export function createTcpTransport(
  settings: StreamSettings,
  deliver: (inbound: Inbound) => void,
  log: Logger,
): StreamTransport {
  return new StreamTransport(
    'tcp',
    settings,
    (dest) => ({ socket: connect({ host: dest.address, port: dest.port }), ready: 'connect' }),
    deliver,
    log,
  );
}

export function listenTcp(transport: StreamTransport, spec: ListenSpec): Promise<Endpoint> {
  return transport.listen(spec, (accept) => createServer(accept));
}
