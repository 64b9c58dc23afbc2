/**
 * A TCP relay in front of a TCP region: geored connects to the relay, which opens its own connection to the
 * region for each one and pipes both ways; `resetAll()` aborts every connection with a TCP RST on both
 * sides (socket.resetAndDestroy), as a middlebox or a restarted provider edge would.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { freePort } from '../../test/helpers/ports';

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
    server.on('connection', (down) => {
      const up = createConnection({ host: '127.0.0.1', port: target });
      const pair: [Socket, Socket] = [down, up];
      relay.pairs.add(pair);
      const drop = (): void => {
        relay.pairs.delete(pair);
        if (!down.destroyed) down.destroy();
        if (!up.destroyed) up.destroy();
      };
      down.on('error', drop).on('close', drop);
      up.on('error', drop).on('close', drop);
      down.pipe(up);
      up.pipe(down);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    return relay;
  }

  get connections(): number {
    return this.pairs.size;
  }

  /** RST on every open connection, both sides. */
  resetAll(): number {
    let n = 0;
    for (const [down, up] of [...this.pairs]) {
      down.resetAndDestroy();
      up.resetAndDestroy();
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
