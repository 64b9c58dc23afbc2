/** Who hears what the service decides: logs and metrics are wired in the service, alerts subscribe here. */
import type { GeoEvent } from './types';

type Listener<K extends GeoEvent['type']> = (event: Extract<GeoEvent, { type: K }>) => void;

export class GeoEvents {
  private readonly listeners = new Map<string, Set<(e: GeoEvent) => void>>();

  constructor(private readonly onListenerError: (err: unknown, event: GeoEvent) => void) {}

  on<K extends GeoEvent['type']>(type: K, listener: Listener<K>): () => void {
    const set = this.listeners.get(type) ?? new Set();
    this.listeners.set(type, set);
    const l = listener as unknown as (e: GeoEvent) => void;
    set.add(l);
    return () => set.delete(l);
  }

  emit(event: GeoEvent): void {
    for (const l of this.listeners.get(event.type) ?? []) {
      try {
        l(event);
      } catch (err) {
        // An alert hook that throws must not stop a failover from being applied and recorded.
        this.onListenerError(err, event);
      }
    }
  }
}
