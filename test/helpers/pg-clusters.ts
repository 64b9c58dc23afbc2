/**
 * Real PostgreSQL 15 servers for the replication tests, one per region: initdb'd into a temp directory,
 * started with pg_ctl on a free port with wal_level=logical, and removed afterwards whatever the outcome:
 * the caller's afterAll, a process exit hook, SIGINT/SIGTERM (an interrupted run), and — for a run killed
 * outright — the next run, which stops and deletes every cluster whose owner.pid names a dead process.
 *
 * initdb refuses to run as root, so when the tests run as root every command runs as `postgres`
 * (runuser -u postgres --) in a directory that user owns. A missing binary fails the test, naming it.
 */
import { execFile, execFileSync } from 'node:child_process';
import {
  appendFileSync,
  chownSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './ports';

const run = promisify(execFile);
export const PG_BIN = process.env.GEORED_TEST_PG_BIN ?? '/usr/lib/postgresql/15/bin';

export interface PgCluster {
  readonly name: string;
  readonly port: number;
  readonly dir: string;
  /** postgres://postgres@127.0.0.1:PORT/pbx (trust authentication on loopback). */
  readonly url: string;
  sql(text: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  stop(): Promise<void>;
  start(): Promise<void>;
}

const live = new Set<PgCluster>();
let hooked = false;
const PREFIX = 'geored-pg-';
/** Written first in each cluster's directory: the test process that owns it. */
const OWNER = 'owner.pid';

function asPostgres(cmd: string, args: string[]): [string, string[]] {
  if (process.getuid?.() !== 0) return [cmd, args];
  return ['runuser', ['-u', 'postgres', '--', cmd, ...args]];
}

async function exec(cmd: string, args: string[]): Promise<void> {
  const [c, a] = asPostgres(cmd, args);
  try {
    await run(c, a, { timeout: 60_000 });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed: ${err.stderr?.trim() || err.message}`);
  }
}

function removeSync(dir: string): void {
  if (existsSync(join(dir, 'data', 'postmaster.pid'))) {
    try {
      const [cmd, args] = asPostgres(join(PG_BIN, 'pg_ctl'), [
        '-D',
        join(dir, 'data'),
        '-m',
        'immediate',
        'stop',
      ]);
      execFileSync(cmd, args, { stdio: 'ignore', timeout: 30_000 });
    } catch {
      // already stopped
    }
  }
  rmSync(dir, { recursive: true, force: true });
}

function cleanupSync(): void {
  for (const c of live) removeSync(c.dir);
  live.clear();
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Clusters left by runs that were killed before their hooks ran: their owner process is gone. */
export function reapStaleClusters(root = tmpdir()): string[] {
  const reaped: string[] = [];
  for (const name of readdirSync(root)) {
    if (!name.startsWith(PREFIX)) continue;
    const dir = join(root, name);
    let owner: number;
    try {
      owner = Number(readFileSync(join(dir, OWNER), 'utf8').trim());
    } catch {
      continue; // not one of ours (or still being made): left alone
    }
    if (!Number.isInteger(owner) || owner <= 0 || alive(owner)) continue;
    removeSync(dir);
    reaped.push(dir);
  }
  return reaped;
}

function onSignal(signal: NodeJS.Signals): void {
  cleanupSync();
  process.exit(signal === 'SIGINT' ? 130 : 143);
}

async function startOne(name: string): Promise<PgCluster> {
  for (const bin of ['initdb', 'pg_ctl']) {
    if (!existsSync(join(PG_BIN, bin))) {
      throw new Error(
        `${join(PG_BIN, bin)} is missing: the replication tests need PostgreSQL 15's server binaries`,
      );
    }
  }
  const dir = mkdtempSync(join(tmpdir(), `${PREFIX}${name}-`));
  writeFileSync(join(dir, OWNER), `${process.pid}\n`);
  if (process.getuid?.() === 0) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const port = await freePort();
  const data = join(dir, 'data');
  const cluster: PgCluster = {
    name,
    port,
    dir,
    url: `postgres://postgres@127.0.0.1:${port}/pbx`,
    async sql(text, params = []) {
      const client = new pg.Client({ connectionString: cluster.url });
      await client.connect();
      try {
        return (await client.query(text, params)).rows as Record<string, unknown>[];
      } finally {
        await client.end();
      }
    },
    async stop() {
      await exec(join(PG_BIN, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop']);
    },
    async start() {
      await exec(join(PG_BIN, 'pg_ctl'), ['-D', data, '-l', join(dir, 'log'), '-w', '-t', '60', 'start']);
    },
  };
  live.add(cluster);
  await exec(join(PG_BIN, 'initdb'), [
    '-D',
    data,
    '-U',
    'postgres',
    '-A',
    'trust',
    '--no-sync',
    '-E',
    'UTF8',
  ]);
  const settings: Record<string, string | number> = {
    port,
    listen_addresses: '127.0.0.1',
    unix_socket_directories: dir,
    wal_level: 'logical',
    max_replication_slots: 20,
    max_wal_senders: 20,
    max_logical_replication_workers: 20,
    max_worker_processes: 32,
    fsync: 'off',
    shared_buffers: '16MB',
    wal_receiver_status_interval: 1,
    // A walsender whose subscriber vanished (stopped region) frees its slot this soon, not after 60 s.
    wal_sender_timeout: '10s',
  };
  appendFileSync(
    join(data, 'postgresql.conf'),
    '\n' +
      Object.entries(settings)
        .map(([k, v]) => `${k} = '${v}'`)
        .join('\n') +
      '\n',
  );
  await cluster.start();
  const admin = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres` });
  await admin.connect();
  await admin.query('CREATE DATABASE pbx');
  await admin.end();
  return cluster;
}

/** Starts one cluster per name, in parallel. */
export async function startClusters(names: readonly string[]): Promise<PgCluster[]> {
  if (!hooked) {
    hooked = true;
    process.once('exit', cleanupSync);
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    reapStaleClusters();
  }
  const results = await Promise.allSettled(names.map((n) => startOne(n)));
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) {
    await removeClusters();
    throw (failed as PromiseRejectedResult).reason;
  }
  return results.map((r) => (r as PromiseFulfilledResult<PgCluster>).value);
}

/** Stops and deletes every cluster started here. */
export async function removeClusters(): Promise<void> {
  const all = [...live];
  await Promise.all(
    all.map(async (c) => {
      await exec(join(PG_BIN, 'pg_ctl'), ['-D', join(c.dir, 'data'), '-m', 'immediate', 'stop']).catch(
        () => undefined,
      );
      rmSync(c.dir, { recursive: true, force: true });
      live.delete(c);
    }),
  );
}
