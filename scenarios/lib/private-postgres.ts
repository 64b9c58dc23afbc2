/**
 * A PostgreSQL cluster of the scenario's own (initdb refuses root, so it runs as the `postgres` user via
 * runuser), on a free loopback port with trust authentication, so it can be stopped and started mid-run
 * without touching the shared server on 5432.
 */
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../test/helpers/ports';

const BIN = '/usr/lib/postgresql/15/bin';

const run = promisify(execFile);

/**
 * pg_ctl without blocking: the scenario's relays (the regions' network) run in this process, and a
 * synchronous pg_ctl start (up to a second on a loaded machine) froze them, so every region missed its
 * probes at once and failed over: a fault the scenario did not mean to inject.
 */
async function asPostgresAsync(cmd: string, args: string[]): Promise<void> {
  await run('runuser', ['-u', 'postgres', '--', join(BIN, cmd), ...args], { timeout: 60_000 });
}

function asPostgres(cmd: string, args: string[]): string {
  return execFileSync('runuser', ['-u', 'postgres', '--', join(BIN, cmd), ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });
}

export class PrivatePostgres {
  private running = false;
  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  static async start(): Promise<PrivatePostgres> {
    if (!existsSync(join(BIN, 'initdb')))
      throw new Error(`PostgreSQL 15 server binaries not found in ${BIN} (Debian package postgresql-15)`);
    const dir = mkdtempSync(join(tmpdir(), 'geored-scenario-pg-'));
    chmodSync(dir, 0o700);
    const pw = execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim();
    const gid = execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim();
    chownSync(dir, Number(pw), Number(gid));
    asPostgres('initdb', ['-D', join(dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync']);
    const pg = new PrivatePostgres(dir, await freePort());
    await pg.startServer();
    return pg;
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  /** pg_ctl start -w: returns once the server accepts connections. */
  async startServer(): Promise<void> {
    await asPostgresAsync('pg_ctl', [
      '-D',
      join(this.dir, 'data'),
      '-l',
      join(this.dir, 'server.log'),
      '-o',
      `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
      '-w',
      'start',
    ]);
    this.running = true;
  }

  /** pg_ctl stop -m immediate: the server goes away at once, as a crash or a cut network would look. */
  async stopServer(): Promise<void> {
    if (!this.running) return;
    await asPostgresAsync('pg_ctl', ['-D', join(this.dir, 'data'), '-m', 'immediate', '-w', 'stop']);
    this.running = false;
  }

  async remove(): Promise<void> {
    try {
      await this.stopServer();
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }
}
