/**
 * Regions made through the API are re-read from the store (other instances may change them). A re-read that
 * began before a region was registered, changed or removed here must not undo that change: its rows predate
 * it. The store here is the real SQLite store; only the timing of one listRegions answer is held back, so the
 * interleaving that a loaded PostgreSQL pool produces now and then happens every time.
 */
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { openParts } from '../../src/geo/open';
import { createGeographicRedundancy, type GeographicRedundancy } from '../../src/geo/service';
import type { Store } from '../../src/store/types';
import { sqliteDatabase, type TestDatabase } from '../store/databases';
import { configOf, until } from './harness';

let geo: GeographicRedundancy | undefined;
let db: TestDatabase | undefined;
afterEach(async () => {
  await geo?.stop();
  await db?.drop();
  geo = undefined;
  db = undefined;
});

const HEALTH = [
  '    health_check:',
  '      interval: 3600',
  '      check_methods: [pushed]',
  '      custom_checks:',
  '        - { name: pushed, type: ttl, ttl: 3600 }',
  '    regions:',
  '      - { name: us-east-1, priority: 1, trunk_id: trunk-east, sip_server: "127.0.0.1:15081" }',
];

/** The real store, whose next listRegions answer (read at once) is handed back only when released. */
function holdingStore(store: Store) {
  let armed = false;
  let held: (() => void) | null = null;
  const wrapped = new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'listRegions') {
        return async () => {
          const rows = await target.listRegions();
          if (!armed) return rows;
          armed = false;
          await new Promise<void>((resolve) => (held = resolve));
          return rows;
        };
      }
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return {
    store: wrapped,
    arm: () => (armed = true),
    isHolding: () => held !== null,
    release: () => {
      const r = held;
      held = null;
      r?.();
    },
  };
}

describe('re-reading regions from the store', () => {
  it('a re-read older than a registration or a removal made here does not undo it', async () => {
    db = await sqliteDatabase();
    const config = configOf(db.url, HEALTH);
    const parts = await openParts(config, { logger: pino({ level: 'silent' }) });
    parts.checks.configure(config.geo.health_check.custom_checks);
    const hold = holdingStore(parts.store);
    geo = createGeographicRedundancy({ ...parts, store: hold.store, refreshMs: 20 });
    await geo.start();
    const service = geo;
    const seen: string[][] = [];
    service.onRegionsChanged(() => seen.push(service.listRegions().map((r) => r.name)));

    // A re-read is under way (its rows read, without eu-west-1) when eu-west-1 is registered.
    hold.arm();
    await until(() => hold.isHolding(), 'a re-read of the regions in flight');
    await service.registerRegion({
      name: 'eu-west-1',
      trunk_id: 'trunk-eu',
      sip_server: '127.0.0.1:15082',
      priority: 2,
    });
    hold.release();
    // Two more re-reads after it, so the stale one has certainly been applied.
    for (let i = 0; i < 2; i++) {
      hold.arm();
      await until(() => hold.isHolding(), 'a later re-read');
      hold.release();
    }
    expect(service.getRegion('eu-west-1')).not.toBeNull();
    expect(seen.every((names) => names.includes('eu-west-1'))).toBe(true);

    // The same for a removal: a re-read that saw the row does not bring the region back.
    seen.length = 0;
    hold.arm();
    await until(() => hold.isHolding(), 'a re-read of the regions in flight');
    await service.removeRegion('eu-west-1');
    hold.release();
    for (let i = 0; i < 2; i++) {
      hold.arm();
      await until(() => hold.isHolding(), 'a later re-read');
      hold.release();
    }
    expect(service.getRegion('eu-west-1')).toBeNull();
    expect(seen.every((names) => !names.includes('eu-west-1'))).toBe(true);
  }, 60_000);
});
