/**
 * GET .../events/stream: the event log as server-sent events (WHATWG HTML §9.2), for the admin panel and
 * for scripts (`curl -N`). A client resumes with Last-Event-ID (or ?since=N) and gets what it missed.
 * Streams are ended when the API closes, so shutting down never waits on an open panel.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { ServerResponse } from 'node:http';
import type { EventFeed } from '../deps';
import { READ_ERRORS, errors } from '../schemas/common';
import { STREAM_DESCRIPTION, StreamQuery } from '../schemas/events';
import type { StreamEvent } from '../../events/types';

export const KEEPALIVE_MS = 15_000;

function frame(e: StreamEvent): string {
  return `id: ${e.id}\nevent: ${e.type}\ndata: ${JSON.stringify(e.data)}\n\n`;
}

/** The resume point a client asks for: Last-Event-ID (a decimal sequence number) first, then ?since. */
function resumeFrom(header: string | string[] | undefined, since: number | undefined): number | null {
  const h = Array.isArray(header) ? header[0] : header;
  if (h !== undefined && /^\d{1,15}$/.test(h.trim())) return Number(h.trim());
  return since ?? null;
}

export const eventRoutes: FastifyPluginAsync<{ events: EventFeed; keepaliveMs?: number }> = async (
  app,
  { events, keepaliveMs = KEEPALIVE_MS },
) => {
  const open = new Set<ServerResponse>();
  app.addHook('preClose', async () => {
    for (const res of open) res.end();
    open.clear();
  });

  app.get<{ Querystring: StreamQuery }>(
    '/events/stream',
    {
      config: { access: 'read' },
      schema: {
        tags: ['events'],
        summary: 'Live events: health, active region, failovers, calls, drills, schedules, settings',
        description: STREAM_DESCRIPTION,
        querystring: StreamQuery,
        produces: ['text/event-stream'],
        response: {
          200: {
            description: 'An endless text/event-stream',
            content: { 'text/event-stream': { schema: { type: 'string' } } },
          },
          ...errors(...READ_ERRORS),
        },
      },
    },
    (req, reply) => {
      const from = resumeFrom(req.headers['last-event-id'], req.query.since);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      open.add(res);
      // Subscribe before replaying, so nothing published in between is lost; replayed ids are skipped live.
      let sentUpTo = from ?? events.lastId;
      const send = (e: StreamEvent): void => {
        if (e.id <= sentUpTo) return;
        sentUpTo = e.id;
        res.write(frame(e));
      };
      const unsubscribe = events.subscribe(send);
      // Tells EventSource clients to retry after 1 s rather than their default 3 s.
      res.write(`retry: 1000\n: geored event stream, last id ${events.lastId}\n\n`);
      if (from !== null) {
        const replay = events.since(from);
        if (replay.kind === 'gap') {
          sentUpTo = replay.last;
          const data = {
            time: new Date().toISOString(),
            type: 'resync',
            oldest: replay.oldest,
            last: replay.last,
          };
          res.write(`id: ${replay.last}\nevent: resync\ndata: ${JSON.stringify(data)}\n\n`);
        } else {
          const pending = replay.events;
          sentUpTo = from;
          for (const e of pending) send(e);
        }
      }
      const keepalive = setInterval(() => res.write(': keepalive\n\n'), keepaliveMs);
      keepalive.unref();
      const done = (): void => {
        clearInterval(keepalive);
        unsubscribe();
        open.delete(res);
      };
      res.once('close', done);
      req.raw.once('close', done);
    },
  );
};
