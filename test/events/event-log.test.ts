import { describe, expect, it } from 'vitest';
import { EventLog } from '../../src/events/event-log';

describe('EventLog', () => {
  it('numbers events 1, 2, 3 and stamps time and type into the data', () => {
    const log = new EventLog(10, () => Date.parse('2026-01-01T00:00:00Z'));
    const a = log.publish('health', { region: 'r1' });
    const b = log.publish('call', { call_id: 'x' }, Date.parse('2026-01-01T00:00:01Z'));
    expect([a.id, b.id, log.lastId]).toEqual([1, 2, 2]);
    expect(a.data).toEqual({ region: 'r1', time: '2026-01-01T00:00:00.000Z', type: 'health' });
    expect(b.data.time).toBe('2026-01-01T00:00:01.000Z');
  });

  it('replays exactly what follows an id, and reports a gap when the ring lost some or the id is unknown', () => {
    const log = new EventLog(3);
    for (let i = 0; i < 5; i++) log.publish('health', { i });
    // Ring holds 3, 4, 5.
    expect(log.since(2)).toEqual({
      kind: 'events',
      events: [3, 4, 5].map((id) => expect.objectContaining({ id })),
    });
    expect(log.since(4)).toMatchObject({ kind: 'events', events: [{ id: 5 }] });
    expect(log.since(5)).toEqual({ kind: 'events', events: [] });
    expect(log.since(1)).toEqual({ kind: 'gap', oldest: 3, last: 5 });
    expect(log.since(9)).toEqual({ kind: 'gap', oldest: 3, last: 5 });
    expect(new EventLog(3).since(0)).toEqual({ kind: 'events', events: [] });
  });

  it('a listener that throws does not stop the others', () => {
    const errors: unknown[] = [];
    const log = new EventLog(4, Date.now, (e) => errors.push(e));
    const seen: number[] = [];
    log.subscribe(() => {
      throw new Error('boom');
    });
    const off = log.subscribe((e) => seen.push(e.id));
    log.publish('settings', {});
    off();
    log.publish('settings', {});
    expect(seen).toEqual([1]);
    expect(errors).toHaveLength(2);
  });
});
