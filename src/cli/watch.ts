/**
 * `geored watch`: the live event stream (GET .../events/stream, Server-Sent Events), one line per event.
 * When the stream drops it reconnects with `Last-Event-ID` so geored replays what was missed (from its
 * bounded buffer), waiting the server's `retry:` time, doubled on each failed attempt up to 30 s. The
 * first connection failing, or a 401/403/404 at any time, ends the command with exit 1: those do not heal
 * by retrying. `--json` prints each event as one JSON line `{id, event, data}`.
 */
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { shortTime } from './format';
import type { CommandIO } from './io';
import {
  contextFor,
  operatorProgram,
  positiveInteger,
  positiveNumber,
  runProgram,
  withCommonOptions,
  type CommonOptions,
  type OperatorContext,
} from './operator-command';
import { ApiFailure, GEO_PATH, networkCause } from './rest-client';

const MAX_BACKOFF_MS = 30_000;

export interface WatchedEvent {
  id: string | null;
  event: string;
  data: Record<string, unknown>;
}

const str = (v: unknown): string => (v === null || v === undefined ? '-' : String(v));

/** One line for an event: its time, type, and what changed. */
export function eventLine(e: WatchedEvent): string {
  const d = e.data;
  const time = typeof d['time'] === 'string' ? shortTime(d['time']) : '-';
  const reason = typeof d['reason'] === 'string' && d['reason'] !== '' ? `: ${d['reason']}` : '';
  let what: string;
  switch (e.event) {
    case 'health':
      what = `${str(d['region'])} ${str(d['from'])} → ${str(d['to'])}${reason}`;
      break;
    case 'active_region':
      what = `${str(d['from'])} → ${str(d['to'])} (${d['automatic'] === true ? 'automatic' : 'manual'})${reason}`;
      break;
    case 'failover':
      what = `${str(d['from_region'])} → ${str(d['to_region'])} (${d['automatic'] === true ? 'automatic' : 'manual'}${d['initiated_by'] ? `, by ${str(d['initiated_by'])}` : ''})${reason}`;
      break;
    case 'call':
      what = `${str(d['call_id'])} ${str(d['from_uri'])} → ${str(d['to_uri'])} via ${str(d['region'])} ${str(d['final_status'])}`;
      break;
    default: {
      const rest = Object.entries(d)
        .filter(([k]) => k !== 'time' && k !== 'type' && k !== 'reason')
        .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
      what = `${rest.join(' ')}${reason}`.replace(/^: /, '');
    }
  }
  return `${time} ${e.event.padEnd(13)} ${what}`.trimEnd();
}

interface WatchOptions extends CommonOptions {
  since?: number;
  count?: number;
  idleTimeout: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs until `count` events were printed (or forever); resolves with the exit code. */
async function watch(ctx: OperatorContext, opts: WatchOptions): Promise<number> {
  const { client, io } = ctx;
  const path = `${GEO_PATH}/events/stream`;
  let lastId: string | null = opts.since !== undefined ? String(opts.since) : null;
  let retryMs = 1000;
  let failures = 0;
  let printed = 0;
  let everConnected = false;
  for (;;) {
    const controller = new AbortController();
    let res: Response;
    try {
      res = await fetch(client.baseUrl + path, {
        headers: client.headers({
          accept: 'text/event-stream',
          ...(lastId !== null ? { 'last-event-id': lastId } : {}),
        }),
        signal: controller.signal,
      });
    } catch (err) {
      const why = `cannot reach geored at ${client.baseUrl}: ${networkCause(err)}`;
      if (!everConnected) throw new ApiFailure(`GET ${path}: ${why}`, null, null);
      failures++;
      const wait = Math.min(MAX_BACKOFF_MS, retryMs * 2 ** (failures - 1));
      io.err(`geored watch: ${why}; reconnecting in ${(wait / 1000).toFixed(1)} s`);
      await sleep(wait);
      continue;
    }
    if (!res.ok) {
      const failure = client.failure(`GET ${path}`, res.status, await res.text());
      if (!everConnected || res.status === 401 || res.status === 403 || res.status === 404) throw failure;
      failures++;
      const wait = Math.min(MAX_BACKOFF_MS, retryMs * 2 ** (failures - 1));
      io.err(`geored watch: ${failure.message}; reconnecting in ${(wait / 1000).toFixed(1)} s`);
      await sleep(wait);
      continue;
    }
    const type = res.headers.get('content-type') ?? '';
    if (!type.startsWith('text/event-stream')) {
      controller.abort();
      throw new ApiFailure(
        `GET ${path}: answered ${res.status} ${type || 'without a content type'}, not an event stream`,
        res.status,
        null,
      );
    }
    everConnected = true;
    failures = 0;
    let done = false;
    const parser = createParser({
      onEvent: (m: EventSourceMessage) => {
        if (done) return;
        if (m.id !== undefined) lastId = m.id;
        let data: Record<string, unknown>;
        try {
          const parsed: unknown = JSON.parse(m.data);
          data =
            parsed !== null && typeof parsed === 'object'
              ? (parsed as Record<string, unknown>)
              : { value: parsed };
        } catch {
          data = { text: m.data };
        }
        const e: WatchedEvent = { id: m.id ?? null, event: m.event ?? 'message', data };
        io.out(ctx.json ? JSON.stringify(e) : eventLine(e));
        printed++;
        if (opts.count !== undefined && printed >= opts.count) {
          done = true;
          controller.abort();
        }
      },
      onRetry: (ms: number) => {
        retryMs = ms;
      },
    });
    let why = 'geored closed the stream';
    // A connection that died without a FIN delivers nothing, not even the 15 s keepalive comments.
    let idle = false;
    let idleTimer: NodeJS.Timeout | undefined;
    const armIdle = () => {
      clearTimeout(idleTimer);
      idleTimer = setTimeout(() => {
        idle = true;
        controller.abort();
      }, opts.idleTimeout * 1000);
    };
    armIdle();
    try {
      const decoder = new TextDecoder();
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        armIdle();
        parser.feed(decoder.decode(chunk, { stream: true }));
        if (done) break;
      }
    } catch (err) {
      if (!done)
        why = idle
          ? `nothing, not even a keepalive, for ${opts.idleTimeout} s`
          : `the stream broke: ${networkCause(err)}`;
    } finally {
      clearTimeout(idleTimer);
    }
    if (done) return 0;
    io.err(
      `geored watch: ${why}; reconnecting in ${(retryMs / 1000).toFixed(1)} s${lastId !== null ? ` from event ${lastId}` : ''}`,
    );
    await sleep(retryMs);
  }
}

export async function run(
  args: string[],
  io: CommandIO,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  let job: (() => Promise<number>) | null = null;
  const program = withCommonOptions(
    operatorProgram(
      'watch',
      "geored's live events (health, failovers, calls, ...), one line each, until ^C.",
      io,
    ),
  )
    .option(
      '--since <id>',
      'replay the events after this event id first (Last-Event-ID)',
      positiveInteger(Number.MAX_SAFE_INTEGER, 0),
    )
    .option('--count <n>', 'exit 0 after this many events', positiveInteger(Number.MAX_SAFE_INTEGER))
    .option(
      '--idle-timeout <seconds>',
      'reconnect when nothing, not even a keepalive (every 15 s), arrives for this long',
      positiveNumber(3600),
      45,
    )
    .action((opts: WatchOptions) => {
      job = () => watch(contextFor(opts, io, env), opts);
    });
  return runProgram(program, 'watch', args, io, () => job?.() ?? null);
}
