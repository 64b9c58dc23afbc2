/**
 * A TCP relay in front of a TCP region: geored connects to the relay, which opens its own connection to the
 * region for each one and pipes both ways; `resetAll()` aborts every connection toward geored with a TCP RST
 * (socket.resetAndDestroy), as a middlebox or a provider edge restarted in front of a working SIP server
 * would, and closes the relay's connection to the region with a FIN. Not a RST on that side too: sipp exits
 * (status 255, "Error on TCP connection") when its own socket is reset, in t1 and tn modes alike, which
 * would make the region really dead and the scenario a blackhole; the region behind the edge stays up.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { freePort } from '../../test/helpers/ports';

/**
 * Pipes a connection from geored both ways to a new one to the region on `target`, kept in `pairs` while
 * both are open. When either side goes, the other is closed too: geored's side at once, the region's with a
 * FIN, never a RST (sipp exits when its own socket is reset, see above).
 */
export function pipeToRegion(down: Socket, target: number, pairs: Set<[Socket, Socket]>): void {
  const up = createConnection({ host: '127.0.0.1', port: target });
  const pair: [Socket, Socket] = [down, up];
  pairs.add(pair);
  const drop = (): void => {
    pairs.delete(pair);
    if (!down.destroyed) down.destroy();
    if (!up.destroyed) up.end();
  };
  down.on('error', drop).on('close', drop);
  up.on('error', drop).on('close', drop);
  down.pipe(up);
  up.pipe(down);
}

export class TcpRelay {
  private readonly pairs = new Set<[Socket, Socket]>();
  resets = 0;

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(target: number): Promise<TcpRelay> {
    const port = await freePort();
    const server = createServer();
    const relay = new TcpRelay(server, port);
    server.on('connection', (down) => pipeToRegion(down, target, relay.pairs));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    return relay;
  }

  get connections(): number {
    return this.pairs.size;
  }

  /** RST on every open connection toward geored; FIN toward the region. */
  resetAll(): number {
    let n = 0;
    for (const [down, up] of [...this.pairs]) {
      down.resetAndDestroy();
      up.end();
      n++;
    }
    this.pairs.clear();
    this.resets += n;
    return n;
  }

  async close(): Promise<void> {
    this.resetAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
