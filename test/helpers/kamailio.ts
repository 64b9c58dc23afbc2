/**
 * Kamailio 5.6 as a regional SIP trunk provider for interop tests, from the shared anchor
 * (../shared/anchors/kamailio-carrier/kamailio.cfg.tmpl, see its README): digest for the trunk account
 * (401 to REGISTER, 407 to other requests), record-routed relay of the customer's calls to a far-end UAS,
 * and inbound calls from a trusted carrier-side port to the registered contact. Each instance gets its own
 * runtime folder (-Y), runs in the foreground (-DD -E) and is stopped by its process id.
 *
 * start(opts) → { port, stop(), logs() }. Every instance is registered so `stopAllKamailio()` cleans up;
 * a missing kamailio binary fails naming the Debian package.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports';
import { SHARED_DIR } from './shared-dir';
import { isBound } from './sipp';

export const KAMAILIO_TEMPLATE = join(SHARED_DIR, 'anchors', 'kamailio-carrier', 'kamailio.cfg.tmpl');

export interface KamailioOptions {
  /** Name in its log prefix and Server header. */
  readonly name: string;
  readonly realm: string;
  /** The trunk account geored registers and calls with. */
  readonly user: string;
  readonly password: string;
  readonly algorithm?: 'MD5' | 'SHA-256';
  /** Port of the far-end UAS its customer's calls are relayed to. */
  readonly uasPort: number;
  /** Port of the carrier-side UAC whose calls go to the registered customer. */
  readonly uacPort: number;
  /** Drop replies whose top Via is not Kamailio's own, as strict carriers do. */
  readonly checkVia?: boolean;
  /** Listen port (UDP and TCP); a free one when absent. Kept across a restart by passing it again. */
  readonly port?: number;
}

export interface KamailioPeer {
  readonly port: number;
  readonly process: ChildProcess;
  readonly exited: Promise<number | null>;
  /** stderr and stdout so far (-E logs to stderr). */
  logs(): string;
  stop(): Promise<void>;
}

const running = new Set<KamailioPeer>();

function requireKamailio(): void {
  try {
    execFileSync('kamailio', ['-v'], { stdio: 'ignore' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      throw new Error(
        'kamailio not found on PATH: install the Debian package kamailio (apt-get install kamailio)',
      );
  }
}

export function kamailioConfig(o: KamailioOptions & { port: number }): string {
  let cfg = readFileSync(KAMAILIO_TEMPLATE, 'utf8');
  const values: Record<string, string> = {
    PORT: String(o.port),
    REALM: o.realm,
    USER: o.user,
    PASS: o.password,
    ALGO: o.algorithm ?? 'MD5',
    UAS: String(o.uasPort),
    UAC: String(o.uacPort),
    NAME: o.name,
  };
  for (const [k, v] of Object.entries(values)) cfg = cfg.split(`@${k}@`).join(v);
  if (o.checkVia) cfg = cfg.replace(/^debug=2$/m, 'debug=2\ncheck_via=yes');
  const left = /@[A-Z]+@/.exec(cfg);
  if (left) throw new Error(`kamailio template: placeholder ${left[0]} left unfilled`);
  return cfg;
}

export async function startKamailio(opts: KamailioOptions): Promise<KamailioPeer> {
  requireKamailio();
  const port = opts.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), `kamailio-${opts.name}-`));
  const cfgFile = join(dir, 'kamailio.cfg');
  writeFileSync(cfgFile, kamailioConfig({ ...opts, port }));
  const child = spawn('kamailio', ['-f', cfgFile, '-DD', '-E', '-m', '64', '-M', '8', '-Y', dir, '-w', dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((r) =>
    child.once('exit', (code) => {
      exitCode = code;
      r(code);
    }),
  );
  const peer: KamailioPeer = {
    port,
    process: child,
    exited,
    logs: () => out,
    stop: async () => {
      running.delete(peer);
      if (exitCode === undefined) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(killer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  running.add(peer);
  const deadline = Date.now() + 15_000;
  while (!(isBound(port, 'udp', '127.0.0.1') && isBound(port, 'tcp', '127.0.0.1'))) {
    if (exitCode !== undefined) {
      running.delete(peer);
      throw new Error(`kamailio ${opts.name} exited ${exitCode} at start:\n${out}`);
    }
    if (Date.now() > deadline) {
      await peer.stop();
      throw new Error(`kamailio ${opts.name} did not bind ${port} within 15 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return peer;
}

export async function stopAllKamailio(): Promise<void> {
  await Promise.all([...running].map((p) => p.stop()));
}
