/**
 * A TLS edge in front of a TCP region: geored connects with TLS to the relay, which terminates it and pipes
 * the plain SIP to the region's sipp over TCP (one connection each). It presents a certificate signed by a
 * CA of the world's own (certificates made with openssl in a temp dir); `expire()` rotates it to one whose
 * validity ended in 2020, signed by the same CA, and closes the open connections, as an edge restarted with
 * a stale certificate would: geored's next handshake meets the expired certificate.
 */
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { createServer, type Server } from 'node:tls';
import { freePort } from '../../test/helpers/ports';
import type { CaCerts as TlsMaterial } from '../../test/helpers/tls-cert';
import { pipeToRegion } from './tcp-relay';

/** The world's CA and its valid and expired certificates (made by the test helper, one maker for both). */
export { makeCaCerts as makeTlsMaterial, type CaCerts as TlsMaterial } from '../../test/helpers/tls-cert';

export class TlsRelay {
  private readonly pairs = new Set<[Socket, Socket]>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
    private readonly material: TlsMaterial,
  ) {}

  static async start(target: number, material: TlsMaterial): Promise<TlsRelay> {
    const port = await freePort();
    const server = createServer({ key: readFileSync(material.key), cert: readFileSync(material.valid) });
    const relay = new TlsRelay(server, port, material);
    server.on('tlsClientError', () => undefined); // a refused handshake is what expire() is for
    server.on('secureConnection', (down) => pipeToRegion(down, target, relay.pairs));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    return relay;
  }

  get connections(): number {
    return this.pairs.size;
  }

  /** From now on the expired certificate; open connections are closed so geored must handshake again. */
  expire(): number {
    this.server.setSecureContext({
      key: readFileSync(this.material.key),
      cert: readFileSync(this.material.expired),
    });
    const n = this.pairs.size;
    for (const [down, up] of [...this.pairs]) {
      down.end();
      up.end();
    }
    return n;
  }

  async close(): Promise<void> {
    for (const [down, up] of [...this.pairs]) {
      down.destroy();
      up.end();
    }
    this.pairs.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
