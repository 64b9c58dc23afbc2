import { describe, expect, it } from 'vitest';
import { HealthState } from '../../src/model/health-state';
import {
  fromFields,
  isNewer,
  newRegion,
  nextVersion,
  toFields,
  type LiveRecord,
} from '../../src/live/records';

describe('live records', () => {
  it('orders versions by number, then by writer, the same way for everyone', () => {
    const a = { version: 10, updatedAt: 5, updatedBy: 'a' };
    const b = { version: 10, updatedAt: 1, updatedBy: 'b' };
    expect(isNewer({ ...a, version: 11 }, b)).toBe(true);
    expect(isNewer(a, { ...b, version: 11 })).toBe(false);
    expect([isNewer(b, a), isNewer(a, b)]).toEqual([true, false]);
    expect(isNewer(a, a)).toBe(false);
    expect(isNewer(a, null)).toBe(true);
  });

  it('versions like a hybrid clock: after the previous one, and at least the time', () => {
    expect(nextVersion(0, 1_700_000_000_000)).toBe(1_700_000_000_000);
    expect(nextVersion(1_700_000_000_500, 1_700_000_000_000)).toBe(1_700_000_000_501);
  });

  it('round-trips every record kind through hash fields', () => {
    const meta = { version: 1_700_000_000_123, updatedAt: 1_700_000_000_100, updatedBy: 'inst-a' };
    const records: LiveRecord[] = [
      { kind: 'active', id: 'active', data: { name: 'us-east-1', activeSince: 42, reason: 'why', ...meta } },
      {
        kind: 'region',
        id: 'region:eu:west',
        deleted: false,
        data: {
          ...newRegion('eu:west', meta),
          state: HealthState.DEGRADED,
          lastCheck: 7,
          registration: 'registered',
        },
      },
      { kind: 'region', id: 'region:gone', deleted: true, data: newRegion('gone', meta) },
      { kind: 'sim', id: 'sim:us-east-1', data: { region: 'us-east-1', until: null, ...meta } },
      { kind: 'sim', id: 'sim:us-west-2', data: { region: 'us-west-2', until: 99, ...meta } },
    ];
    for (const record of records) expect(fromFields(record.id, toFields(record))).toEqual(record);
  });

  it('refuses what it cannot read instead of guessing', () => {
    expect(fromFields('active', { name: 'x' })).toBeNull();
    expect(fromFields('active', { version: '3' })).toBeNull();
    expect(fromFields('mystery:x', { version: '3' })).toBeNull();
    expect(fromFields('region:x', { version: '3', state: 'on fire' })).toBeNull();
    expect(fromFields('region:x', { version: '3', registration: 'maybe' })).toBeNull();
    expect(fromFields('region:x', { version: '3' })?.data).toMatchObject({ state: 'healthy', score: 1 });
  });
});
