import { HEALTH_STATES, HealthState } from '../model/health-state';
import type { ActiveRegion, RegionLive, RegistrationState, Simulation, Versioned } from './types';

/**
 * The versioned records of live state, how they are named (`active`, `region:<name>`, `sim:<region>`,
 * the same ids locally and, behind the key prefix, in Redis) and how they travel as flat string hashes.
 */
export interface ActiveRecord {
  readonly kind: 'active';
  readonly id: string;
  readonly data: ActiveRegion;
}
/** A removed region stays as a tombstone so an older copy cannot bring it back on resync. */
export interface RegionRecord {
  readonly kind: 'region';
  readonly id: string;
  readonly data: RegionLive;
  readonly deleted: boolean;
}
export interface SimRecord {
  readonly kind: 'sim';
  readonly id: string;
  readonly data: Simulation;
}
export type LiveRecord = ActiveRecord | RegionRecord | SimRecord;

export type Fields = Record<string, string>;

export const ACTIVE_ID = 'active';
export const regionId = (name: string): string => `region:${name}`;
export const simId = (region: string): string => `sim:${region}`;

const REGISTRATION_STATES: readonly RegistrationState[] = [
  'unregistered',
  'registering',
  'registered',
  'failed',
];

/** True if `a` must replace `b`: a total order every instance agrees on. */
export function isNewer(a: Versioned, b: Versioned | undefined | null): boolean {
  if (!b) return true;
  if (a.version !== b.version) return a.version > b.version;
  return a.updatedBy > b.updatedBy;
}

/** The next version after `previous`: hybrid clock, see Versioned. */
export function nextVersion(previous: number, now: number): number {
  return Math.max(previous + 1, Math.floor(now));
}

export function newRegion(name: string, meta: Versioned): RegionLive {
  return {
    name,
    state: HealthState.HEALTHY,
    reason: '',
    score: 1,
    lastCheck: null,
    firstFailureAt: null,
    healthySince: null,
    registration: 'unregistered',
    ...meta,
  };
}

export function metaOf(record: LiveRecord): Versioned {
  const { version, updatedAt, updatedBy } = record.data;
  return { version, updatedAt, updatedBy };
}

const num = (n: number | null): string => (n === null ? '' : String(n));

function numOrNull(s: string | undefined): number | null {
  if (s === undefined || s === '') return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}

function metaFields(m: Versioned): Fields {
  return { version: String(m.version), updatedAt: String(m.updatedAt), updatedBy: m.updatedBy };
}

function readMeta(f: Fields): Versioned | null {
  const version = numOrNull(f.version);
  if (version === null) return null;
  return { version, updatedAt: numOrNull(f.updatedAt) ?? 0, updatedBy: f.updatedBy ?? '' };
}

/** The hash fields of a region health patch, as the Redis patch script writes them. */
export function regionPatchFields(patch: Partial<RegionLive>): Fields {
  const out: Fields = {};
  if (patch.state !== undefined) out.state = patch.state;
  if (patch.reason !== undefined) out.reason = patch.reason;
  if (patch.score !== undefined) out.score = String(patch.score);
  if (patch.lastCheck !== undefined) out.lastCheck = num(patch.lastCheck);
  if (patch.firstFailureAt !== undefined) out.firstFailureAt = num(patch.firstFailureAt);
  if (patch.healthySince !== undefined) out.healthySince = num(patch.healthySince);
  if (patch.registration !== undefined) out.registration = patch.registration;
  return out;
}

export function toFields(record: LiveRecord): Fields {
  switch (record.kind) {
    case 'active': {
      const a = record.data;
      return { ...metaFields(a), name: a.name, activeSince: String(a.activeSince), reason: a.reason };
    }
    case 'region': {
      if (record.deleted) return { ...metaFields(record.data), deleted: '1' };
      return { ...metaFields(record.data), ...regionPatchFields(record.data) };
    }
    case 'sim':
      return { ...metaFields(record.data), until: num(record.data.until) };
  }
}

/** Decodes a hash read from Redis or a message; null when it is not a record this version understands. */
export function fromFields(id: string, f: Fields): LiveRecord | null {
  const meta = readMeta(f);
  if (!meta) return null;
  if (id === ACTIVE_ID) {
    if (!f.name) return null;
    const data: ActiveRegion = {
      name: f.name,
      activeSince: numOrNull(f.activeSince) ?? meta.updatedAt,
      reason: f.reason ?? '',
      ...meta,
    };
    return { kind: 'active', id, data };
  }
  const colon = id.indexOf(':');
  if (colon < 0) return null;
  const kind = id.slice(0, colon);
  const name = id.slice(colon + 1);
  if (kind === 'region') {
    const base = newRegion(name, meta);
    const state = f.state === undefined ? base.state : HEALTH_STATES.find((s) => s === f.state);
    const registration =
      f.registration === undefined
        ? base.registration
        : REGISTRATION_STATES.find((s) => s === f.registration);
    // An unknown state must not be read as HEALTHY: drop the record and keep what we had.
    if (!state || !registration) return null;
    const data: RegionLive = {
      ...base,
      state,
      registration,
      reason: f.reason ?? base.reason,
      score: numOrNull(f.score) ?? base.score,
      lastCheck: numOrNull(f.lastCheck),
      firstFailureAt: numOrNull(f.firstFailureAt),
      healthySince: numOrNull(f.healthySince),
    };
    return { kind: 'region', id, data, deleted: f.deleted === '1' };
  }
  if (kind === 'sim') {
    return { kind: 'sim', id, data: { region: name, until: numOrNull(f.until), ...meta } };
  }
  return null;
}

/** Redis replies hashes as flat [field, value, ...] arrays inside scripts and messages. */
export function pairsToFields(pairs: readonly unknown[]): Fields {
  const out: Fields = {};
  for (let i = 0; i + 1 < pairs.length; i += 2) out[String(pairs[i])] = String(pairs[i + 1]);
  return out;
}
