import type { Logger } from 'pino';
import { ACTIVE_ID, isNewer, regionId, simId, type LiveRecord } from './records';
import type {
  ActiveRegion,
  ChangeOrigin,
  LiveChange,
  LiveChangeListener,
  RegionLive,
  Simulation,
} from './types';

interface CounterEntry {
  value: number;
  /** Version of the value in Redis (hybrid clock); 0 for a counter only ever counted locally. */
  seq: number;
}

/**
 * The local copy of live state that every read is served from, and the one place changes are announced.
 * A record only replaces the copy it holds when it is newer, so updates arriving late or twice (a reply
 * racing the pub/sub message of the same write, a resync racing a message) are harmless.
 */
export class LiveCache {
  private readonly records = new Map<string, LiveRecord>();
  private readonly counters = new Map<string, CounterEntry>();
  private readonly listeners = new Set<LiveChangeListener>();

  constructor(private readonly logger: Logger) {}

  get(id: string): LiveRecord | undefined {
    return this.records.get(id);
  }

  all(): LiveRecord[] {
    return [...this.records.values()];
  }

  getActive(): ActiveRegion | null {
    const r = this.records.get(ACTIVE_ID);
    return r?.kind === 'active' ? r.data : null;
  }

  getRegion(name: string): RegionLive | null {
    const r = this.records.get(regionId(name));
    return r?.kind === 'region' && !r.deleted ? r.data : null;
  }

  listRegions(): RegionLive[] {
    const out: RegionLive[] = [];
    for (const r of this.records.values()) if (r.kind === 'region' && !r.deleted) out.push(r.data);
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  getSimulation(region: string): Simulation | null {
    const r = this.records.get(simId(region));
    return r?.kind === 'sim' ? r.data : null;
  }

  listSimulations(now: number): Simulation[] {
    const out: Simulation[] = [];
    for (const r of this.records.values()) {
      if (r.kind === 'sim' && r.data.until !== null && r.data.until > now) out.push(r.data);
    }
    return out;
  }

  getCounter(name: string): number {
    return this.counters.get(name)?.value ?? 0;
  }

  counterSeq(name: string): number {
    return this.counters.get(name)?.seq ?? 0;
  }

  listCounters(): Record<string, number> {
    return Object.fromEntries([...this.counters].map(([k, v]) => [k, v.value]));
  }

  /** Keeps the record if it is newer than the copy held, and announces it. Returns whether it was kept. */
  apply(record: LiveRecord, origin: ChangeOrigin): boolean {
    const current = this.records.get(record.id);
    if (current && !isNewer(record.data, current.data)) return false;
    this.records.set(record.id, record);
    this.emit(changeOf(record, current, origin));
    return true;
  }

  /** A counter value as Redis holds it, kept only if `seq` is newer than what was seen. */
  applyCounter(name: string, value: number, seq: number, origin: ChangeOrigin): boolean {
    const current = this.counters.get(name);
    if (current && seq <= current.seq) return false;
    this.counters.set(name, { value, seq });
    if (current?.value !== value) this.emit({ kind: 'counter', name, value, origin });
    return true;
  }

  /** Counts without Redis (memory backend, or Redis away); the value is reconciled on resync. */
  addToCounter(name: string, by: number): number {
    const entry = this.counters.get(name) ?? { value: 0, seq: 0 };
    entry.value += by;
    this.counters.set(name, entry);
    this.emit({ kind: 'counter', name, value: entry.value, origin: 'local' });
    return entry.value;
  }

  counterNames(): string[] {
    return [...this.counters.keys()];
  }

  onChange(listener: LiveChangeListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  emit(change: LiveChange): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(change);
      } catch (err) {
        // One faulty listener must not stop the others from hearing about a failover.
        this.logger.error({ err, change: change.kind }, 'live state: a change listener threw');
      }
    }
  }
}

function changeOf(record: LiveRecord, previous: LiveRecord | undefined, origin: ChangeOrigin): LiveChange {
  switch (record.kind) {
    case 'active':
      return {
        kind: 'active-region',
        active: record.data,
        previous: previous?.kind === 'active' ? previous.data : null,
        origin,
      };
    case 'region':
      if (record.deleted) return { kind: 'region-removed', name: record.data.name, origin };
      return {
        kind: 'region-health',
        region: record.data,
        previous: previous?.kind === 'region' && !previous.deleted ? previous.data : null,
        origin,
      };
    case 'sim':
      return { kind: 'simulation', simulation: record.data, origin };
  }
}
