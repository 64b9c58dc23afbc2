/**
 * baresip (1.0) as a real PBX/softphone for interop tests: its own temporary config folder (-f), no sound
 * card (ausine as the source, aubridge as the sink), G.711, driven through its ctrl_tcp module (JSON in
 * netstrings over TCP: commands such as dial, accept, hold, resume, hangup; events such as REGISTER_OK,
 * CALL_ESTABLISHED, CALL_CLOSED), with SIP tracing (-s) so tests can read every message it sent and got.
 *
 * start(opts) → { port, ctrlPort, command(), waitEvent(), sipTrace(), logs(), stop() }. Every process is
 * registered so `stopAllBaresip()` cleans up; a missing baresip binary fails naming the Debian package.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, freePortPair } from './ports';

export interface BaresipAccount {
  /** Address of record, e.g. sip:pbx@127.0.0.1:5060 (the registrar's host and port). */
  readonly aor: string;
  readonly authUser?: string;
  readonly password?: string;
  /** Register every this many seconds; 0 for no registration. */
  readonly regint?: number;
  /** Outbound proxy URI (every request goes there), e.g. sip:127.0.0.1:5060. */
  readonly outbound?: string;
}

export interface BaresipOptions {
  readonly account: BaresipAccount;
  /** SIP port (UDP and TCP); a free one when absent. */
  readonly port?: number;
}

export interface BaresipEvent {
  readonly type: string;
  readonly class?: string;
  readonly param?: string;
  readonly peeruri?: string;
  readonly id?: string;
  readonly [k: string]: unknown;
}

export interface SipTraceEntry {
  readonly direction: 'sent' | 'received';
  /** The message text as baresip printed it. */
  readonly text: string;
}

export interface BaresipPeer {
  readonly port: number;
  readonly ctrlPort: number;
  readonly process: ChildProcess;
  /** Sends a ctrl_tcp command and resolves with its response (ok false rejects). */
  command(command: string, params?: string): Promise<{ ok: boolean; data: string }>;
  /** The first event (already received or to come) of `type` that `match` accepts. */
  waitEvent(type: string, match?: (e: BaresipEvent) => boolean, timeoutMs?: number): Promise<BaresipEvent>;
  readonly events: BaresipEvent[];
  /** The SIP messages of the -s trace so far. */
  sipTrace(): SipTraceEntry[];
  /** True when its account is registered (ctrl_tcp `reginfo`; REGISTER_OK may come before we connect). */
  registered(): Promise<boolean>;
  /** stdout and stderr so far. */
  logs(): string;
  stop(): Promise<void>;
}

const running = new Set<BaresipPeer>();

function requireBaresip(): void {
  try {
    execFileSync('baresip', ['-h'], { stdio: 'ignore' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      throw new Error(
        'baresip not found on PATH: install the Debian package baresip (apt-get install baresip)',
      );
  }
}

function netstring(obj: unknown): Buffer {
  const json = Buffer.from(JSON.stringify(obj));
  return Buffer.concat([Buffer.from(`${json.length}:`), json, Buffer.from(',')]);
}

export async function startBaresip(opts: BaresipOptions): Promise<BaresipPeer> {
  requireBaresip();
  const dir = mkdtempSync(join(tmpdir(), 'baresip-'));
  // baresip also listens for SIP/TLS on port + 1: both must be free, and the control port must be neither.
  const port = opts.port ?? (await freePortPair());
  let ctrlPort = await freePort();
  while (ctrlPort === port || ctrlPort === port + 1) ctrlPort = await freePort();
  const a = opts.account;
  writeFileSync(
    join(dir, 'config'),
    [
      'poll_method epoll',
      `sip_listen 127.0.0.1:${port}`,
      'call_local_timeout 120',
      'call_max_calls 4',
      'audio_player aubridge,loop',
      'audio_source aubridge,loop',
      'audio_alert aubridge,loop',
      'module_path /usr/lib/baresip/modules',
      'module g711.so',
      'module ausine.so',
      'module aubridge.so',
      'module_tmp uuid.so',
      'module_tmp account.so',
      'module_app menu.so',
      'module_app ctrl_tcp.so',
      `ctrl_tcp_listen 127.0.0.1:${ctrlPort}`,
      '',
    ].join('\n'),
  );
  const params = [
    a.authUser !== undefined ? `auth_user=${a.authUser}` : null,
    a.password !== undefined ? `auth_pass=${a.password}` : null,
    a.outbound !== undefined ? `outbound="${a.outbound}"` : null,
    `regint=${a.regint ?? 0}`,
    'answermode=manual',
    'audio_codecs=PCMU,PCMA',
    'sipnat=',
  ].filter((p): p is string => p !== null && !p.endsWith('='));
  writeFileSync(join(dir, 'accounts'), `<${a.aor}>;${params.join(';')}\n`);
  writeFileSync(join(dir, 'contacts'), '');
  const child = spawn('baresip', ['-f', dir, '-s'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  let exitCode: number | null | undefined;
  const exited = new Promise<void>((r) =>
    child.once('exit', (code) => {
      exitCode = code;
      r();
    }),
  );

  // ctrl_tcp: connect once it listens.
  let sock: Socket | undefined;
  const deadline = Date.now() + 15_000;
  while (!sock) {
    if (exitCode !== undefined) throw new Error(`baresip exited ${exitCode} at start:\n${out}`);
    try {
      sock = await new Promise<Socket>((resolve, reject) => {
        const s = connect(ctrlPort, '127.0.0.1', () => resolve(s));
        s.once('error', reject);
      });
    } catch {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`baresip ctrl_tcp did not listen on ${ctrlPort} within 15 s:\n${out}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const events: BaresipEvent[] = [];
  const waiters = new Set<() => void>();
  const pending = new Map<string, (r: { ok: boolean; data: string }) => void>();
  let buf = Buffer.alloc(0);
  sock.on('data', (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    for (;;) {
      const colon = buf.indexOf(0x3a);
      if (colon < 0) return;
      const len = Number(buf.subarray(0, colon).toString());
      if (buf.length < colon + 1 + len + 1) return;
      const json = JSON.parse(buf.subarray(colon + 1, colon + 1 + len).toString()) as Record<string, unknown>;
      buf = buf.subarray(colon + 1 + len + 1);
      if (json['response'] === true) {
        pending.get(String(json['token']))?.({ ok: json['ok'] === true, data: String(json['data'] ?? '') });
        pending.delete(String(json['token']));
      } else if (json['event'] === true) {
        events.push(json as unknown as BaresipEvent);
        for (const w of [...waiters]) w();
      }
    }
  });
  sock.on('error', () => undefined);
  let token = 0;
  const ctrl = sock;
  const peer: BaresipPeer = {
    port,
    ctrlPort,
    process: child,
    events,
    command: (command, p) =>
      new Promise((resolve, reject) => {
        const t = String(++token);
        const timer = setTimeout(
          () => reject(new Error(`baresip: no answer to ${command} within 10 s`)),
          10_000,
        );
        pending.set(t, (r) => {
          clearTimeout(timer);
          if (r.ok) resolve(r);
          else reject(new Error(`baresip: ${command} ${p ?? ''} failed: ${r.data}`));
        });
        ctrl.write(netstring({ command, ...(p !== undefined && { params: p }), token: t }));
      }),
    waitEvent: (type, match = () => true, timeoutMs = 15_000) =>
      new Promise((resolve, reject) => {
        const look = (): boolean => {
          const e = events.find((x) => x.type === type && match(x));
          if (!e) return false;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(e);
          return true;
        };
        const check = (): void => void look();
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(
              `baresip: no ${type} event within ${timeoutMs} ms; events: ${events.map((e) => e.type).join(', ')}\n${out.slice(-4000)}`,
            ),
          );
        }, timeoutMs);
        if (!look()) waiters.add(check);
      }),
    sipTrace: () => parseTrace(out, port),
    registered: async () =>
      /\bOK\b/.test((await peer.command('reginfo')).data.replace(/\x1b\[[0-9;]*m/g, '')),
    logs: () => out,
    stop: async () => {
      running.delete(peer);
      ctrl.destroy();
      if (exitCode === undefined) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 3_000);
        await exited;
        clearTimeout(killer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  running.add(peer);
  return peer;
}

export async function stopAllBaresip(): Promise<void> {
  await Promise.all([...running].map((p) => p.stop()));
}

/**
 * baresip -s prints each message between ANSI colour codes, after a line naming the transport and the
 * direction:  ESC[36;1m#\nUDP 127.0.0.1:5070 -> 127.0.0.1:5060\n<the message>\nESC[;m. baresip listens on
 * one port, so a message is one it sent when the left side is that port.
 */
function parseTrace(out: string, port: number): SipTraceEntry[] {
  const entries: SipTraceEntry[] = [];
  for (const chunk of out.split('\x1b[36;1m#\n').slice(1)) {
    const end = chunk.indexOf('\x1b[;m');
    const body = end >= 0 ? chunk.slice(0, end) : chunk;
    const nl = body.indexOf('\n');
    const m = /^(?:UDP|TCP|TLS)\s+(\S+)\s+->\s+(\S+)/.exec(body.slice(0, nl));
    if (!m) continue;
    const src = m[1] as string;
    entries.push({
      direction: src.endsWith(`:${port}`) ? 'sent' : 'received',
      text: body.slice(nl + 1).replace(/\r?\n/g, '\r\n'),
    });
  }
  return entries;
}
