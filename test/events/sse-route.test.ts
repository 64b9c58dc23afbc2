/**
 * The SSE route on its own fastify: `: keepalive` comments on the interval, and closing the API ends open
 * streams instead of waiting on them (so SIGTERM never hangs on an open panel).
 */
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { eventRoutes } from '../../src/api/routes/events';
import { EventLog } from '../../src/events/event-log';

describe('the SSE route', () => {
  it('sends keepalive comments, live events after them, and ends its streams when the API closes', async () => {
    const log = new EventLog(10);
    const app = Fastify();
    await app.register(eventRoutes, { events: log, keepaliveMs: 50 });
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    const res = await fetch(`${address}/events/stream`);
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    while ((text.match(/: keepalive\n\n/g) ?? []).length < 2) text += (await reader.read()).value ?? '';
    log.publish('settings', { changed: { health_check: { interval: 5 } } });
    while (!text.includes('event: settings')) text += (await reader.read()).value ?? '';
    expect(text).toContain('id: 1\nevent: settings\ndata: {"changed":{"health_check":{"interval":5}}');
    await app.close();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += value;
    }
    expect(log.subscribers).toBe(0);
  });
});
