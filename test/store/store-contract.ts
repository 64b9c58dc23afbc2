/**
 * The one suite every Store implementation must pass; sqlite-store.test.ts and postgres-store.test.ts run
 * it against a real SQLite file and the real PostgreSQL.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HealthState } from '../../src/model/health-state';
import { LATEST_SCHEMA_VERSION, openStore, type CallInput, type Store } from '../../src/store';
import type { TestDatabase } from './databases';

const TABLES = [
  'geo_regions',
  'geo_failover_history',
  'geo_health_checks',
  'geo_events',
  'geo_scheduled_failovers',
  'geo_failback_approvals',
  'geo_calls',
  'geo_kv',
  'geo_pbx_bindings',
  'geo_alert_deliveries',
];

const T0 = Date.parse('2025-03-01T12:00:00.000Z');
const at = (seconds: number): string => new Date(T0 + seconds * 1000).toISOString();
const ISO_Z = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

const region = (name: string, priority: number) => ({
  name,
  trunk_id: `trunk-${name}`,
  sip_server: `sip.${name}.example.com`,
  priority,
});

const call = (call_id: string, startSeconds: number, extra: Partial<CallInput> = {}): CallInput => ({
  call_id,
  direction: 'outbound',
  from_uri: 'sip:1000@pbx.example.com',
  to_uri: 'sip:+14155550100@pbx.example.com',
  started_at: at(startSeconds),
  ...extra,
});

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  await expect(promise).rejects.toMatchObject({ name: 'GeoredError', code });
}

export function defineStoreContract(label: string, makeDatabase: () => Promise<TestDatabase>): void {
  describe(`Store contract: ${label}`, () => {
    let db: TestDatabase;
    let store: Store;
    let clock = new Date(T0);
    const open = () => openStore(db.url, { now: () => clock });

    beforeAll(async () => {
      db = await makeDatabase();
      store = await open();
    });

    afterAll(async () => {
      await store?.close();
      await db?.drop();
    });

    beforeEach(async () => {
      clock = new Date(T0);
      await db.clear(TABLES);
    });

    describe('regions', () => {
      it('inserts a region with the guide columns and the documented defaults', async () => {
        const row = await store.upsertRegion(region('us-east-1', 1));
        expect(row).toMatchObject({
          name: 'us-east-1',
          trunk_id: 'trunk-us-east-1',
          sip_server: 'sip.us-east-1.example.com',
          priority: 1,
          location: null,
          capabilities: [],
          health_state: null,
          is_active: false,
          settings: {},
          origin: 'config',
          created_at: at(0),
          updated_at: at(0),
        });
        expect(typeof row.id).toBe('number');
        expect(await store.getRegion('us-east-1')).toEqual(row);
        expect(await store.getRegion('nowhere')).toBeNull();
      });

      it('round-trips capabilities, settings and origin', async () => {
        const settings = {
          weight: 70,
          latitude: 40.7,
          longitude: -74,
          timezone: 'America/New_York',
          tags: ['a', 'ü'],
        };
        await store.upsertRegion({
          ...region('eu-west-1', 2),
          location: 'Dublin',
          capabilities: ['voice', 'sms', 'fax'],
          settings,
          origin: 'api',
          health_state: HealthState.WARNING,
          is_active: true,
        });
        const got = await store.getRegion('eu-west-1');
        expect(got).toMatchObject({
          location: 'Dublin',
          capabilities: ['voice', 'sms', 'fax'],
          settings,
          origin: 'api',
          health_state: 'warning',
          is_active: true,
        });
      });

      it('updates by name, keeping omitted fields and created_at', async () => {
        const first = await store.upsertRegion({
          ...region('us-east-1', 1),
          capabilities: ['voice'],
          settings: { weight: 5 },
          origin: 'api',
        });
        await store.setRegionHealth('us-east-1', HealthState.HEALTHY, true);
        clock = new Date(T0 + 60_000);
        const second = await store.upsertRegion({ ...region('us-east-1', 7), sip_server: 'new.example.com' });
        expect(second).toMatchObject({
          id: first.id,
          priority: 7,
          sip_server: 'new.example.com',
          capabilities: ['voice'],
          settings: { weight: 5 },
          origin: 'api',
          health_state: 'healthy',
          is_active: true,
          created_at: at(0),
          updated_at: at(60),
        });
        expect(await store.listRegions()).toHaveLength(1);
      });

      it('lists by priority, then name', async () => {
        await store.upsertRegion(region('c', 2));
        await store.upsertRegion(region('b', 1));
        await store.upsertRegion(region('a', 2));
        expect((await store.listRegions()).map((r) => r.name)).toEqual(['b', 'a', 'c']);
      });

      it('sets health and deletes, reporting unknown names', async () => {
        await store.upsertRegion(region('us-east-1', 1));
        clock = new Date(T0 + 5_000);
        expect(await store.setRegionHealth('us-east-1', HealthState.DOWN, false)).toBe(true);
        expect(await store.getRegion('us-east-1')).toMatchObject({
          health_state: 'down',
          is_active: false,
          updated_at: at(5),
        });
        expect(await store.setRegionHealth('nowhere', HealthState.DOWN, false)).toBe(false);
        expect(await store.deleteRegion('us-east-1')).toBe(true);
        expect(await store.deleteRegion('us-east-1')).toBe(false);
        expect(await store.listRegions()).toEqual([]);
      });

      it('rejects a bad region with STORE_INVALID_ROW and writes nothing', async () => {
        await expectCode(store.upsertRegion({ ...region('x', 1), priority: 1.5 }), 'STORE_INVALID_ROW');
        await expectCode(store.upsertRegion(region('n'.repeat(51), 1)), 'STORE_INVALID_ROW');
        await expectCode(
          store.upsertRegion({ ...region('x', 1), health_state: 'bogus' as HealthState }),
          'STORE_INVALID_ROW',
        );
        await expectCode(
          store.upsertRegion({ ...region('x', 1), capabilities: 'voice' as unknown as string[] }),
          'STORE_INVALID_ROW',
        );
        await expectCode(store.upsertRegion({ ...region('x', 1), trunk_id: '' }), 'STORE_INVALID_ROW');
        await expectCode(store.setRegionHealth('x', 'sideways' as HealthState, true), 'STORE_INVALID_ROW');
        expect(await store.listRegions()).toEqual([]);
      });

      it('names the field in the error message', async () => {
        await expect(
          store.upsertRegion({ ...region('x', 1), priority: 'high' as unknown as number }),
        ).rejects.toThrow(/geo_regions record: priority must be an integer/);
      });
    });

    describe('failover history', () => {
      it('records with defaults and lists newest first, by region and since', async () => {
        const first = await store.recordFailover({ from_region: 'a', to_region: 'b', reason: 'a down' });
        expect(first).toMatchObject({
          from_region: 'a',
          to_region: 'b',
          reason: 'a down',
          automatic: true,
          initiated_by: null,
          duration_ms: null,
          occurred_at: at(0),
        });
        await store.recordFailover({
          from_region: 'b',
          to_region: 'c',
          automatic: false,
          initiated_by: 'alice',
          duration_ms: 1234,
          occurred_at: at(10),
        });
        await store.recordFailover({ from_region: 'c', to_region: 'a', occurred_at: new Date(T0 + 20_000) });

        const all = await store.listFailovers({ limit: 10 });
        expect(all.map((f) => f.to_region)).toEqual(['a', 'c', 'b']);
        expect(all[1]).toMatchObject({
          automatic: false,
          initiated_by: 'alice',
          duration_ms: 1234,
          occurred_at: at(10),
        });
        expect((await store.listFailovers({ limit: 2 })).map((f) => f.to_region)).toEqual(['a', 'c']);
        expect((await store.listFailovers({ limit: 10, region: 'b' })).map((f) => f.occurred_at)).toEqual([
          at(10),
          at(0),
        ]);
        expect((await store.listFailovers({ limit: 10, since: at(10) })).map((f) => f.to_region)).toEqual([
          'a',
          'c',
        ]);
        expect(await store.lastFailover()).toMatchObject({ to_region: 'a', occurred_at: at(20) });
        expect(await store.lastFailover('b')).toMatchObject({ to_region: 'c' });
        expect(await store.lastFailover('zz')).toBeNull();
        expect(await store.countFailovers()).toBe(3);
        expect(await store.countFailovers('a')).toBe(2);
        expect(await store.countFailovers('a', at(5))).toBe(1);
        expect(await store.countFailovers(undefined, at(15))).toBe(1);
      });

      it('keeps the same instant for timestamps given in another zone offset', async () => {
        const row = await store.recordFailover({ to_region: 'b', occurred_at: '2025-03-01T14:00:00+02:00' });
        expect(row.occurred_at).toBe(at(0));
      });

      it('rejects a bad failover row and writes nothing', async () => {
        await expectCode(store.recordFailover({ to_region: 'b', duration_ms: -1 }), 'STORE_INVALID_ROW');
        await expectCode(store.recordFailover({} as never), 'STORE_INVALID_ROW');
        await expectCode(
          store.recordFailover({ to_region: 'b', occurred_at: 'yesterday' }),
          'STORE_INVALID_ROW',
        );
        await expectCode(
          store.recordFailover({ to_region: 'b', initiated_by: 'x'.repeat(101) }),
          'STORE_INVALID_ROW',
        );
        await expectCode(store.listFailovers({ limit: -1 }), 'STORE_INVALID_ROW');
        expect(await store.countFailovers()).toBe(0);
      });
    });

    describe('health checks', () => {
      it('records a batch, lists newest first and computes stats', async () => {
        const n = await store.recordHealthChecks([
          { region_name: 'a', check_method: 'sip_options', success: true, latency_ms: 10, checked_at: at(0) },
          { region_name: 'a', check_method: 'sip_options', success: true, latency_ms: 30, checked_at: at(1) },
          {
            region_name: 'a',
            check_method: 'sip_options',
            success: false,
            latency_ms: 5000,
            error_message: 'timeout',
            checked_at: at(2),
          },
          { region_name: 'a', check_method: 'http_ping', success: true, checked_at: at(3) },
          { region_name: 'b', check_method: 'sip_options', success: true, latency_ms: 99, checked_at: at(1) },
        ]);
        expect(n).toBe(5);
        const listed = await store.listHealthChecks({ region: 'a', limit: 10 });
        expect(listed.map((h) => h.checked_at)).toEqual([at(3), at(2), at(1), at(0)]);
        expect(listed[1]).toMatchObject({ success: false, latency_ms: 5000, error_message: 'timeout' });
        expect(listed[0]).toMatchObject({ check_method: 'http_ping', latency_ms: null });
        expect(await store.listHealthChecks({ limit: 2 })).toHaveLength(2);
        expect((await store.listHealthChecks({ region: 'a', since: at(2), limit: 10 })).length).toBe(2);

        // Failed checks' latency is the timeout, not a measurement, so it stays out of the mean.
        expect(await store.healthStats('a', at(0))).toEqual({ total: 4, successes: 3, avg_latency_ms: 20 });
        expect(await store.healthStats('a', at(2))).toEqual({ total: 2, successes: 1, avg_latency_ms: null });
        expect(await store.healthStats('nowhere', at(0))).toEqual({
          total: 0,
          successes: 0,
          avg_latency_ms: null,
        });
      });

      it('uses the clock when checked_at is left out, and accepts an empty batch', async () => {
        clock = new Date(T0 + 42_000);
        await store.recordHealthChecks([{ region_name: 'a', check_method: 'tcp_connect', success: true }]);
        expect((await store.listHealthChecks({ limit: 1 }))[0]!.checked_at).toBe(at(42));
        expect(await store.recordHealthChecks([])).toBe(0);
      });

      it('writes nothing when one row of a batch is bad', async () => {
        const good = { region_name: 'a', check_method: 'sip_options', success: true };
        await expectCode(
          store.recordHealthChecks([good, good, { ...good, success: 'yes' as unknown as boolean }]),
          'STORE_INVALID_ROW',
        );
        await expectCode(
          store.recordHealthChecks([good, { ...good, latency_ms: 2 ** 31 }]),
          'STORE_INVALID_ROW',
        );
        expect(await store.listHealthChecks({ limit: 10 })).toEqual([]);
      });

      it('prunes by age and by row count', async () => {
        await store.recordHealthChecks(
          Array.from({ length: 10 }, (_, i) => ({
            region_name: 'a',
            check_method: 'sip_options',
            success: true,
            checked_at: at(i * 86_400), // one a day
          })),
        );
        // Older than 3 days before day 9 means days 0..5.
        expect(await store.pruneHealthChecks({ maxAgeDays: 3, now: at(9 * 86_400) })).toBe(6);
        expect((await store.listHealthChecks({ limit: 100 })).map((h) => h.checked_at)).toEqual([
          at(9 * 86_400),
          at(8 * 86_400),
          at(7 * 86_400),
          at(6 * 86_400),
        ]);
        expect(await store.pruneHealthChecks({ maxRows: 2 })).toBe(2);
        expect((await store.listHealthChecks({ limit: 100 })).map((h) => h.checked_at)).toEqual([
          at(9 * 86_400),
          at(8 * 86_400),
        ]);
        expect(await store.pruneHealthChecks({ maxRows: 2, maxAgeDays: 365, now: at(9 * 86_400) })).toBe(0);
        expect(await store.pruneHealthChecks({ maxRows: 0 })).toBe(2);
        await expectCode(store.pruneHealthChecks({ maxRows: -5 }), 'STORE_INVALID_ROW');
      });
    });

    describe('events', () => {
      it('records decisions that are not switches and lists them by kind, region and time', async () => {
        const ev = await store.recordEvent({
          kind: 'switch-suppressed',
          region: 'b',
          reason: 'flap guard: 3 switches in 600 s',
          details: { switches: 3, window: 600, nested: { ok: true } },
        });
        expect(ev).toMatchObject({
          kind: 'switch-suppressed',
          region: 'b',
          details: { switches: 3, window: 600, nested: { ok: true } },
          occurred_at: at(0),
        });
        await store.recordEvent({ kind: 'all-regions-down', reason: 'keeping a', occurred_at: at(5) });
        await store.recordEvent({ kind: 'simulation.start', region: 'a', occurred_at: at(9) });
        expect((await store.listEvents({ limit: 10 })).map((e) => e.kind)).toEqual([
          'simulation.start',
          'all-regions-down',
          'switch-suppressed',
        ]);
        expect(await store.listEvents({ kind: 'all-regions-down', limit: 10 })).toEqual([
          expect.objectContaining({ region: null, details: null, reason: 'keeping a' }),
        ]);
        expect((await store.listEvents({ region: 'a', limit: 10 })).map((e) => e.kind)).toEqual([
          'simulation.start',
        ]);
        expect((await store.listEvents({ since: at(5), limit: 10 })).length).toBe(2);
        expect(await store.pruneEvents({ maxRows: 1 })).toBe(2);
        expect((await store.listEvents({ limit: 10 })).map((e) => e.kind)).toEqual(['simulation.start']);
      });

      it('rejects a malformed kind or details', async () => {
        await expectCode(store.recordEvent({ kind: 'Switch Suppressed' }), 'STORE_INVALID_ROW');
        await expectCode(store.recordEvent({ kind: 'x', details: [1, 2] as never }), 'STORE_INVALID_ROW');
        expect(await store.listEvents({ limit: 10 })).toEqual([]);
      });
    });

    describe('scheduled failovers', () => {
      it('creates pending, then moves through the allowed statuses only', async () => {
        const s = await store.createScheduledFailover({
          target_region: 'eu-west-1',
          start_time: at(3600),
          duration: 1800.5,
          reason: 'maintenance',
          created_by: 'ops',
        });
        expect(s).toMatchObject({
          target_region: 'eu-west-1',
          start_time: at(3600),
          duration: 1800.5,
          status: 'pending',
          previous_region: null,
          created_at: at(0),
        });
        const later = await store.createScheduledFailover({
          target_region: 'b',
          start_time: at(7200),
          duration: 60,
        });
        expect((await store.listScheduledFailovers()).map((r) => r.id)).toEqual([s.id, later.id]);

        clock = new Date(T0 + 3_600_000);
        const active = await store.updateScheduledFailover(s.id, {
          status: 'active',
          previous_region: 'us-east-1',
        });
        expect(active).toMatchObject({
          status: 'active',
          previous_region: 'us-east-1',
          updated_at: at(3600),
        });
        expect((await store.listScheduledFailovers({ status: 'pending' })).map((r) => r.id)).toEqual([
          later.id,
        ]);
        expect((await store.updateScheduledFailover(s.id, { status: 'completed' })).status).toBe('completed');
        await expectCode(
          store.updateScheduledFailover(s.id, { status: 'cancelled' }),
          'STORE_SCHEDULED_FAILOVER_TRANSITION',
        );
        await expectCode(
          store.updateScheduledFailover(s.id, { reason: 'edit' }),
          'STORE_SCHEDULED_FAILOVER_TRANSITION',
        );
        expect((await store.updateScheduledFailover(later.id, { status: 'cancelled' })).status).toBe(
          'cancelled',
        );
        await expectCode(
          store.updateScheduledFailover(later.id, { status: 'active' }),
          'STORE_SCHEDULED_FAILOVER_TRANSITION',
        );
        await expectCode(
          store.updateScheduledFailover(999_999, { status: 'active' }),
          'STORE_SCHEDULED_FAILOVER_NOT_FOUND',
        );
      });

      it('edits a pending one and rejects bad input', async () => {
        const s = await store.createScheduledFailover({
          target_region: 'b',
          start_time: at(60),
          duration: 10,
        });
        const edited = await store.updateScheduledFailover(s.id, {
          start_time: at(120),
          duration: 20,
          reason: 'moved',
        });
        expect(edited).toMatchObject({
          status: 'pending',
          start_time: at(120),
          duration: 20,
          reason: 'moved',
        });
        await expectCode(
          store.createScheduledFailover({ target_region: 'b', start_time: at(60), duration: 0 }),
          'STORE_INVALID_ROW',
        );
        await expectCode(
          store.updateScheduledFailover(s.id, { status: 'paused' as never }),
          'STORE_INVALID_ROW',
        );
        expect(await store.listScheduledFailovers()).toHaveLength(1);
      });
    });

    describe('failback approvals', () => {
      it('lists pending requests and decides each once', async () => {
        const a = await store.createFailbackApproval({
          from_region: 'b',
          to_region: 'a',
          reason: 'a healthy 300 s',
        });
        expect(a).toMatchObject({ requested_at: at(0), decision: null, decided_at: null, decided_by: null });
        const b = await store.createFailbackApproval({
          from_region: 'c',
          to_region: 'a',
          requested_at: at(10),
        });
        expect((await store.listFailbackApprovals({ pending: true })).map((r) => r.id)).toEqual([b.id, a.id]);

        const decided = await store.decideFailbackApproval(a.id, 'approved', 'alice', at(20));
        expect(decided).toMatchObject({ decision: 'approved', decided_by: 'alice', decided_at: at(20) });
        await expectCode(
          store.decideFailbackApproval(a.id, 'rejected', 'bob'),
          'STORE_FAILBACK_APPROVAL_DECIDED',
        );
        await expectCode(
          store.decideFailbackApproval(424_242, 'approved', 'bob'),
          'STORE_FAILBACK_APPROVAL_NOT_FOUND',
        );
        await expectCode(store.decideFailbackApproval(b.id, 'maybe' as never, 'bob'), 'STORE_INVALID_ROW');
        expect((await store.listFailbackApprovals({ pending: true })).map((r) => r.id)).toEqual([b.id]);
        expect((await store.listFailbackApprovals({ pending: false })).map((r) => r.id)).toEqual([a.id]);
        expect(await store.listFailbackApprovals()).toHaveLength(2);
      });

      it('lets exactly one of two simultaneous decisions win', async () => {
        const a = await store.createFailbackApproval({ to_region: 'a' });
        const results = await Promise.allSettled([
          store.decideFailbackApproval(a.id, 'approved', 'alice'),
          store.decideFailbackApproval(a.id, 'rejected', 'bob'),
        ]);
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1);
      });
    });

    describe('calls', () => {
      const attempts = [
        {
          region: 'us-east-1',
          status: 503,
          reason: 'Service Unavailable',
          outcome: 'failed' as const,
          started_at: at(0),
          ended_at: at(0.2),
        },
        {
          region: 'us-west-2',
          status: null,
          reason: null,
          outcome: 'timeout' as const,
          started_at: at(0.2),
          ended_at: at(0.7),
        },
        {
          region: 'eu-west-1',
          status: 200,
          reason: 'OK',
          outcome: 'answered' as const,
          started_at: at(0.7),
          ended_at: at(1),
        },
      ];

      it('records a batch with attempts and lists it with every filter', async () => {
        expect(
          await store.recordCalls([
            call('c1', 0, {
              attempts,
              region: 'eu-west-1',
              answered_at: at(1),
              final_status: 200,
              routing_reason: 'us-east-1 is DOWN, so eu-west-1 is tried first (priority)',
            }),
            call('c2', 10, { region: 'us-east-1', final_status: 200, direction: 'inbound' }),
            call('c3', 20, { region: 'us-east-1', final_status: 486 }),
            call('c4', 30),
          ]),
        ).toBe(4);
        const c1 = (await store.listCalls({ region: 'eu-west-1', limit: 10 }))[0]!;
        expect(c1).toEqual({
          call_id: 'c1',
          direction: 'outbound',
          from_uri: 'sip:1000@pbx.example.com',
          to_uri: 'sip:+14155550100@pbx.example.com',
          attempts,
          region: 'eu-west-1',
          started_at: at(0),
          answered_at: at(1),
          ended_at: null,
          final_status: 200,
          routing_reason: 'us-east-1 is DOWN, so eu-west-1 is tried first (priority)',
        });
        // A call recorded without one (inbound calls, rows before migration 6) reads back null.
        expect(
          (await store.listCalls({ limit: 10 })).find((c) => c.call_id === 'c2')?.routing_reason,
        ).toBeNull();
        expect((await store.listCalls({ limit: 10 })).map((c) => c.call_id)).toEqual([
          'c4',
          'c3',
          'c2',
          'c1',
        ]);
        expect((await store.listCalls({ limit: 2 })).map((c) => c.call_id)).toEqual(['c4', 'c3']);
        expect((await store.listCalls({ region: 'us-east-1', limit: 10 })).map((c) => c.call_id)).toEqual([
          'c3',
          'c2',
        ]);
        expect(
          (await store.listCalls({ since: at(10), until: at(30), limit: 10 })).map((c) => c.call_id),
        ).toEqual(['c3', 'c2']);
        expect((await store.listCalls({ status: 200, limit: 10 })).map((c) => c.call_id)).toEqual([
          'c2',
          'c1',
        ]);
        expect(await store.countCalls()).toBe(4);
        expect(await store.countCalls('us-east-1')).toBe(2);
        expect(await store.countCalls('us-east-1', at(15))).toBe(1);
        expect(await store.countCalls('nowhere')).toBe(0);
      });

      it('updates answer and end times, and reports an unknown call', async () => {
        await store.recordCalls([call('c1', 0)]);
        expect(await store.updateCall('c1', { answered_at: at(2), region: 'a', final_status: 200 })).toBe(
          true,
        );
        expect(await store.updateCall('c1', { ended_at: new Date(T0 + 62_000) })).toBe(true);
        expect((await store.listCalls({ limit: 1 }))[0]).toMatchObject({
          answered_at: at(2),
          ended_at: at(62),
          region: 'a',
          final_status: 200,
        });
        expect(await store.updateCall('c1', {})).toBe(true);
        expect(await store.updateCall('nope', { ended_at: at(1) })).toBe(false);
        await expectCode(store.updateCall('c1', { final_status: 99 }), 'STORE_INVALID_ROW');
      });

      it('ends a batch of calls in one go, counting only the rows it found; a bad end changes nothing', async () => {
        await store.recordCalls([call('c1', 0), call('c2', 10), call('c3', 20)]);
        expect(
          await store.endCalls([
            { call_id: 'c1', ended_at: at(30) },
            { call_id: 'c3', ended_at: new Date(T0 + 40_000) },
            { call_id: 'gone', ended_at: at(41) },
          ]),
        ).toBe(2);
        const ended = Object.fromEntries(
          (await store.listCalls({ limit: 10 })).map((c) => [c.call_id, c.ended_at]),
        );
        expect(ended).toEqual({ c1: at(30), c2: null, c3: at(40) });
        await expectCode(
          store.endCalls([
            { call_id: 'c2', ended_at: at(50) },
            { call_id: 'c1', ended_at: 'not a time' },
          ]),
          'STORE_INVALID_ROW',
        );
        expect((await store.listCalls({ limit: 10 })).find((c) => c.call_id === 'c2')?.ended_at).toBeNull();
        expect(await store.endCalls([])).toBe(0);
      });

      it('replaces a call recorded again; within one batch the last row wins', async () => {
        await store.recordCalls([call('c1', 0, { final_status: 180 })]);
        await store.recordCalls([
          call('c1', 0, { final_status: 200, region: 'a', attempts: attempts.slice(2) }),
        ]);
        await store.recordCalls([call('c2', 5, { final_status: 408 }), call('c2', 5, { final_status: 503 })]);
        const rows = await store.listCalls({ limit: 10 });
        expect(rows.map((c) => [c.call_id, c.final_status])).toEqual([
          ['c2', 503],
          ['c1', 200],
        ]);
        expect(rows[1]!.attempts).toHaveLength(1);
      });

      it('writes nothing when one call of a batch is bad', async () => {
        await expectCode(
          store.recordCalls([call('ok', 0), call('bad', 1, { direction: 'sideways' as never })]),
          'STORE_INVALID_ROW',
        );
        await expectCode(
          store.recordCalls([
            call('ok', 0),
            call('bad', 1, { attempts: [{ ...attempts[0]!, outcome: 'lost' as never }] }),
          ]),
          'STORE_INVALID_ROW',
        );
        await expectCode(store.recordCalls([call('x'.repeat(256), 0)]), 'STORE_INVALID_ROW');
        expect(await store.countCalls()).toBe(0);
      });

      it('prunes to the newest rows', async () => {
        await store.recordCalls(Array.from({ length: 25 }, (_, i) => call(`c${i}`, i)));
        expect(await store.pruneCalls({ maxRows: 10 })).toBe(15);
        const left = await store.listCalls({ limit: 100 });
        expect(left).toHaveLength(10);
        expect(left.at(-1)!.call_id).toBe('c15');
        expect(await store.pruneCalls({ maxAgeDays: 0, now: at(20) })).toBe(5);
      });

      it('keeps every row of many batches written at once', async () => {
        const batches = Array.from({ length: 20 }, (_, b) =>
          Array.from({ length: 50 }, (_, i) =>
            call(`b${b}-c${i}`, b * 50 + i, { region: b % 2 ? 'a' : 'b' }),
          ),
        );
        const checks = Array.from({ length: 10 }, (_, b) =>
          Array.from({ length: 20 }, (_, i) => ({
            region_name: 'a',
            check_method: 'sip_options',
            success: i % 2 === 0,
            checked_at: at(b * 20 + i),
          })),
        );
        const written = await Promise.all([
          ...batches.map((batch) => store.recordCalls(batch)),
          ...checks.map((batch) => store.recordHealthChecks(batch)),
        ]);
        expect(written.reduce((a, b) => a + b, 0)).toBe(1000 + 200);
        expect(await store.countCalls()).toBe(1000);
        expect(await store.countCalls('a')).toBe(500);
        expect(await store.healthStats('a', at(0))).toMatchObject({ total: 200, successes: 100 });
      });

      it('keeps every row when two stores on one database write at once', async () => {
        const other = await open();
        try {
          await Promise.all(
            Array.from({ length: 10 }, (_, b) =>
              (b % 2 ? other : store).recordCalls(
                Array.from({ length: 30 }, (_, i) => call(`s${b}-${i}`, i)),
              ),
            ),
          );
          expect(await store.countCalls()).toBe(300);
          expect(await other.countCalls()).toBe(300);
        } finally {
          await other.close();
        }
      });
    });

    describe('alert deliveries', () => {
      it('records each attempt and lists newest first, by alert id; rejects a bad row', async () => {
        const base = { alert_id: 'msg_1', event: 'region_down', region: 'us-east-1', target: 'https://h/x' };
        await store.recordAlertDelivery({
          ...base,
          channel: 'webhook',
          status: 'retrying',
          attempt: 1,
          error: 'HTTP 503',
          attempted_at: '2026-01-20T02:00:00.000Z',
        });
        await store.recordAlertDelivery({
          ...base,
          channel: 'webhook',
          status: 'sent',
          attempt: 2,
          attempted_at: '2026-01-20T02:00:01.000Z',
        });
        await store.recordAlertDelivery({
          ...base,
          alert_id: 'msg_2',
          channel: 'sms',
          target: '+15551234567',
          status: 'dry_run',
          attempt: 1,
          attempted_at: '2026-01-20T02:00:02.000Z',
        });
        const all = await store.listAlertDeliveries({ limit: 10 });
        expect(all.map((r) => [r.alert_id, r.status, r.attempt])).toEqual([
          ['msg_2', 'dry_run', 1],
          ['msg_1', 'sent', 2],
          ['msg_1', 'retrying', 1],
        ]);
        expect(all[2]).toMatchObject({
          channel: 'webhook',
          error: 'HTTP 503',
          region: 'us-east-1',
          attempted_at: '2026-01-20T02:00:00.000Z',
        });
        expect((await store.listAlertDeliveries({ limit: 10, alert_id: 'msg_1' })).length).toBe(2);
        expect((await store.listAlertDeliveries({ limit: 1 })).length).toBe(1);
        await expectCode(
          store.recordAlertDelivery({ ...base, channel: 'fax' as never, status: 'sent', attempt: 1 }),
          'STORE_INVALID_ROW',
        );
        await expectCode(
          store.recordAlertDelivery({ ...base, channel: 'sms', status: 'sent', attempt: 0 }),
          'STORE_INVALID_ROW',
        );
        expect((await store.listAlertDeliveries({ limit: 10 })).length).toBe(3);
      });
    });

    describe('settings (geo_kv)', () => {
      it('stores JSON values, overwrites, deletes', async () => {
        expect(await store.kvGet('failover')).toBeUndefined();
        const config = { automatic: true, failover_delay: 0.5, flap_guard: { max_switches: 3, window: 600 } };
        await store.kvSet('failover', config);
        expect(await store.kvGet('failover')).toEqual(config);
        await store.kvSet('failover', { automatic: false });
        expect(await store.kvGet('failover')).toEqual({ automatic: false });
        await store.kvSet('weights', [70, 30]);
        await store.kvSet('label', 'text');
        await store.kvSet('nothing', null);
        expect(await store.kvGet('weights')).toEqual([70, 30]);
        expect(await store.kvGet('label')).toBe('text');
        expect(await store.kvGet('nothing')).toBeNull();
        expect(await store.kvDelete('label')).toBe(true);
        expect(await store.kvDelete('label')).toBe(false);
        expect(await store.kvGet('label')).toBeUndefined();
        await expectCode(store.kvSet('bad', undefined), 'STORE_INVALID_ROW');
        await expectCode(store.kvSet('', 1), 'STORE_INVALID_ROW');
      });
    });

    describe('PBX bindings (geo_pbx_bindings)', () => {
      const binding = (uri: string, port: number, expiresSeconds: number) => ({
        uri,
        protocol: 'udp' as const,
        address: '192.0.2.10',
        port,
        call_id: `reg-${port}`,
        cseq: 7,
        expires_at: at(expiresSeconds),
        registered_at: at(0),
      });

      it('replaces the set, reads back the live ones, and deletes those expired at the time asked', async () => {
        await store.replacePbxBindings([
          binding('sip:pbx@192.0.2.10:5070', 5070, 60),
          binding('sip:pbx@192.0.2.10:5071', 5071, 600),
        ]);
        expect((await store.listPbxBindings(at(30))).sort((a, b) => a.port - b.port)).toEqual([
          binding('sip:pbx@192.0.2.10:5070', 5070, 60),
          binding('sip:pbx@192.0.2.10:5071', 5071, 600),
        ]);
        expect((await store.listPbxBindings(at(60))).map((b) => b.port)).toEqual([5071]);
        // Expired rows are deleted, not just filtered: asking again for an earlier time finds them gone.
        expect((await store.listPbxBindings(at(30))).map((b) => b.port)).toEqual([5071]);
        await store.replacePbxBindings([]);
        expect(await store.listPbxBindings(at(0))).toEqual([]);
      });
    });

    describe('simulated failures (geo_simulations)', () => {
      it('keeps one simulation per region, the latest replacing the earlier, and removes one on null', async () => {
        expect(await store.listSimulations()).toEqual([]);
        await store.setSimulation('us-west-1', at(60));
        await store.setSimulation('us-east-1', new Date(at(30)));
        await store.setSimulation('us-east-1', at(90));
        const rows = await store.listSimulations();
        expect(rows.map((r) => [r.region, r.until])).toEqual([
          ['us-east-1', at(90)],
          ['us-west-1', at(60)],
        ]);
        for (const r of rows) expect(Number.isFinite(Date.parse(r.started_at))).toBe(true);
        await store.setSimulation('us-east-1', null);
        await store.setSimulation('never-simulated', null);
        expect((await store.listSimulations()).map((r) => r.region)).toEqual(['us-west-1']);
      });
    });

    describe('restart', () => {
      it('loses nothing recorded when closed and reopened', async () => {
        await store.upsertRegion({ ...region('api-region', 3), origin: 'api', settings: { weight: 10 } });
        await store.recordFailover({ from_region: 'a', to_region: 'b', reason: 'a down', duration_ms: 900 });
        await store.recordHealthChecks([{ region_name: 'a', check_method: 'sip_options', success: false }]);
        const pending = await store.createScheduledFailover({
          target_region: 'b',
          start_time: at(60),
          duration: 30,
        });
        const running = await store.createScheduledFailover({
          target_region: 'c',
          start_time: at(0),
          duration: 30,
        });
        await store.updateScheduledFailover(running.id, { status: 'active', previous_region: 'a' });
        const approval = await store.createFailbackApproval({ from_region: 'b', to_region: 'a' });
        await store.recordCalls([call('c1', 0, { region: 'b' })]);
        await store.kvSet('health_check', { interval: 0.5 });
        const before = {
          regions: await store.listRegions(),
          failovers: await store.listFailovers({ limit: 10 }),
          checks: await store.listHealthChecks({ limit: 10 }),
          schedules: await store.listScheduledFailovers(),
          approvals: await store.listFailbackApprovals({ pending: true }),
          calls: await store.listCalls({ limit: 10 }),
        };
        await store.close();
        await expectCode(store.listRegions(), 'STORE_CLOSED');

        store = await open();
        expect(await store.schemaVersion()).toBe(LATEST_SCHEMA_VERSION);
        expect(await store.listRegions()).toEqual(before.regions);
        expect(before.regions[0]).toMatchObject({ origin: 'api', settings: { weight: 10 } });
        expect(await store.listFailovers({ limit: 10 })).toEqual(before.failovers);
        expect(await store.listHealthChecks({ limit: 10 })).toEqual(before.checks);
        expect(await store.listScheduledFailovers()).toEqual(before.schedules);
        expect((await store.listScheduledFailovers()).map((s) => [s.id, s.status])).toEqual([
          [running.id, 'active'],
          [pending.id, 'pending'],
        ]);
        expect(await store.listFailbackApprovals({ pending: true })).toEqual(before.approvals);
        expect(before.approvals.map((a) => a.id)).toEqual([approval.id]);
        expect(await store.listCalls({ limit: 10 })).toEqual(before.calls);
        expect(await store.kvGet('health_check')).toEqual({ interval: 0.5 });
      });

      it('finishes writes in flight before closing', async () => {
        const writing = store.recordCalls(Array.from({ length: 200 }, (_, i) => call(`f${i}`, i)));
        await store.close();
        expect(await writing).toBe(200);
        store = await open();
        expect(await store.countCalls()).toBe(200);
      });
    });

    it('returns every timestamp as ISO-8601 with Z', async () => {
      const r = await store.upsertRegion(region('a', 1));
      const f = await store.recordFailover({ to_region: 'a' });
      const a = await store.createFailbackApproval({ to_region: 'a' });
      const d = await store.decideFailbackApproval(a.id, 'rejected', null);
      for (const ts of [r.created_at, r.updated_at, f.occurred_at, d.requested_at, d.decided_at]) {
        expect(ts).toMatch(ISO_Z);
      }
    });
  });
}
