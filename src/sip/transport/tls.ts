import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { connect, createServer, type SecureContextOptions } from 'node:tls';
import type { Logger } from 'pino';
import { reasonOf, transportError } from './node-errors';
import type { ListenSpec, StreamSettings, TlsFiles } from './options';
import { StreamTransport } from './stream';
import type { Endpoint, Inbound } from './types';
import { endpointKey } from './types';

/** The PEM contents of the configured files, read once at start so a bad path fails start-up, not a call. */
export interface TlsMaterial {
  readonly cert: Buffer | undefined;
  readonly key: Buffer | undefined;
  readonly ca: Buffer | undefined;
  readonly rejectUnauthorized: boolean;
  readonly requestClientCert: boolean;
}

function readPem(what: string, file: string | undefined): Buffer | undefined {
  if (file === undefined) return undefined;
  try {
    return readFileSync(file);
  } catch (err) {
    throw transportError('TRANSPORT_TLS_FILE_UNREADABLE', { what, file, reason: reasonOf(err) });
  }
}

export function loadTlsMaterial(files: TlsFiles | undefined): TlsMaterial {
  return {
    cert: readPem('certificate', files?.cert),
    key: readPem('key', files?.key),
    ca: readPem('CA', files?.ca),
    rejectUnauthorized: files?.rejectUnauthorized ?? true,
    requestClientCert: files?.requestClientCert ?? false,
  };
}

function contextOptions(m: TlsMaterial): SecureContextOptions {
  const o: SecureContextOptions = {};
  if (m.cert) o.cert = m.cert;
  if (m.key) o.key = m.key;
  if (m.ca) o.ca = m.ca;
  return o;
}

/**
 * SIP over TLS (RFC 3261 §26.2): node:tls sockets carrying the same framing as TCP. Outbound connections
 * verify the peer against `ca` (or the system store) unless `rejectUnauthorized` is false; an IP target is
 * checked against the certificate's IP subjectAltName, and SNI is sent only for names (RFC 6066 §3).
 */
export function createTlsTransport(
  material: TlsMaterial,
  settings: StreamSettings,
  deliver: (inbound: Inbound) => void,
  log: Logger,
): StreamTransport {
  return new StreamTransport(
    'tls',
    settings,
    (dest) => ({
      socket: connect({
        host: dest.address,
        port: dest.port,
        ...contextOptions(material),
        rejectUnauthorized: material.rejectUnauthorized,
        ...(isIP(dest.address) ? {} : { servername: dest.address }),
      }),
      ready: 'secureConnect',
    }),
    deliver,
    log,
  );
}

export function listenTls(
  transport: StreamTransport,
  spec: ListenSpec,
  material: TlsMaterial,
  log: Logger,
): Promise<Endpoint> {
  if (!material.cert || !material.key) {
    return Promise.reject(
      transportError('TRANSPORT_TLS_NOT_CONFIGURED', { endpoint: endpointKey({ ...spec, protocol: 'tls' }) }),
    );
  }
  return transport.listen(spec, (accept) => {
    const server = createServer(
      {
        ...contextOptions(material),
        requestCert: material.requestClientCert,
        rejectUnauthorized: material.requestClientCert,
      },
      accept,
    );
    // A client that fails the handshake is its own problem; it must not reach the SIP layer or crash us.
    server.on('tlsClientError', (err) => {
      if (log.isLevelEnabled('debug')) log.debug({ err: reasonOf(err) }, 'inbound TLS handshake failed');
    });
    return server;
  });
}
