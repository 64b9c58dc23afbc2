/**
 * A PostgreSQL cluster of the test's own (initdb in a temporary directory, run as the `postgres` user,
 * since initdb refuses root), so a test can stop and restart the database without touching the shared
 * one. Listens on 127.0.0.1 only, trust authentication, fsync off (nothing here must survive a crash).
 */
import { execFile } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { userInfo } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './ports';

const run = promisify(execFile);
const BIN = '/usr/lib/postgresql/15/bin';

export class PrivatePostgres {
  private running = false;

  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  /** initdb and start; fails naming what is missing (the binaries, the postgres user). */
  static async start(): Promise<PrivatePostgres> {
    if (!existsSync(`${BIN}/initdb`)) {
      throw new Error(`${BIN}/initdb not found: the PostgreSQL 15 server package (postgresql-15) is needed`);
    }
    const dir = mkdtempSync(join(tmpdir(), 'geored-pg-'));
    chmodSync(dir, 0o700);
    const pg = new PrivatePostgres(dir, await freePort());
    try {
      if (userInfo().uid === 0) {
        const { stdout } = await run('id', ['-u', 'postgres']);
        const { stdout: gid } = await run('id', ['-g', 'postgres']);
        chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
      }
      await pg.asPostgres(`${BIN}/initdb`, [
        '-D',
        join(dir, 'data'),
        '-A',
        'trust',
        '-U',
        'postgres',
        '--no-sync',
      ]);
      await pg.restart();
    } catch (err) {
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    return pg;
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  async restart(): Promise<void> {
    const opts = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=40`;
    await this.asPostgres(`${BIN}/pg_ctl`, [
      '-D',
      join(this.dir, 'data'),
      '-l',
      join(this.dir, 'log'),
      '-o',
      opts,
      '-w',
      '-t',
      '60',
      'start',
    ]);
    this.running = true;
  }

  async ensureRunning(): Promise<void> {
    if (!this.running) await this.restart();
  }

  /** A fast shutdown: connected clients are cut off, as in a database restart. */
  async stop(): Promise<void> {
    if (!this.running) return;
    await this.asPostgres(`${BIN}/pg_ctl`, [
      '-D',
      join(this.dir, 'data'),
      '-m',
      'fast',
      '-w',
      '-t',
      '60',
      'stop',
    ]);
    this.running = false;
  }

  async destroy(): Promise<void> {
    try {
      await this.stop();
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }

  private async asPostgres(cmd: string, args: string[]): Promise<void> {
    const [file, argv] =
      userInfo().uid === 0 ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
    try {
      await run(file, argv as string[], { timeout: 90_000 });
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      throw new Error(`${cmd} ${args.at(-1)} failed: ${e.stderr?.trim() || e.message}`);
    }
  }
}
