/**
 * The event log behind GET .../events/stream: every event gets the next sequence number (1, 2, 3, ...) and
 * is kept in a bounded ring, so a client that reconnects with Last-Event-ID gets exactly what it missed,
 * or is told that the gap is older than the ring (it then reloads the state over REST).
 * Sans-I/O: the SSE route and the wiring to the service are elsewhere.
 */
import type { EventFeed, Replay, StreamEvent, StreamEventType, StreamListener } from './types';

export type { Replay, StreamEvent, StreamEventType, StreamListener } from './types';

export const DEFAULT_CAPACITY = 1000;

export class EventLog implements EventFeed {
  private readonly ring: (StreamEvent | undefined)[];
  private next = 1;
  private readonly listeners = new Set<StreamListener>();

  constructor(
    private readonly capacity = DEFAULT_CAPACITY,
    private readonly now: () => number = Date.now,
    private readonly onListenerError: (err: unknown) => void = () => undefined,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be an integer ≥ 1');
    this.ring = new Array<StreamEvent | undefined>(capacity);
  }

  /** The sequence number of the newest event (0 before the first). */
  get lastId(): number {
    return this.next - 1;
  }

  publish(type: StreamEventType, fields: Record<string, unknown>, at?: number): StreamEvent {
    const id = this.next++;
    const event: StreamEvent = {
      id,
      type,
      data: { ...fields, time: new Date(at ?? this.now()).toISOString(), type },
    };
    this.ring[id % this.capacity] = event;
    for (const l of this.listeners) {
      try {
        l(event);
      } catch (err) {
        this.onListenerError(err);
      }
    }
    return event;
  }

  /**
   * Events with an id above `after`. An id the log never issued (above lastId: the server restarted and
   * counts from 1 again) or one whose successors fell out of the ring is a gap.
   */
  since(after: number): Replay {
    const last = this.lastId;
    const oldest = last === 0 ? null : Math.max(1, last - this.capacity + 1);
    if (after > last || (oldest !== null && after + 1 < oldest)) return { kind: 'gap', oldest, last };
    const events: StreamEvent[] = [];
    for (let id = after + 1; id <= last; id++) events.push(this.ring[id % this.capacity]!);
    return { kind: 'events', events };
  }

  subscribe(listener: StreamListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get subscribers(): number {
    return this.listeners.size;
  }
}
