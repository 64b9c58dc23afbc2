import { errorFactory } from '../errors/catalogue';
import { LIVE_ERRORS } from '../errors/live';
import type { LiveCache } from './cache';
import {
  ACTIVE_ID,
  metaOf,
  newRegion,
  nextVersion,
  regionId,
  simId,
  type ActiveRecord,
  type LiveRecord,
  type RegionRecord,
  type SimRecord,
} from './records';
import type { RegionHealthPatch, SetActiveOptions, Versioned } from './types';

/**
 * The records a write produces when it is decided here rather than in Redis: always for the memory
 * backend, and for the Redis backend while Redis is away (resync pushes them later).
 */
const err = errorFactory(LIVE_ERRORS);

function meta(previous: LiveRecord | undefined, instanceId: string, now: number): Versioned {
  return {
    version: nextVersion(previous ? metaOf(previous).version : 0, now),
    updatedAt: now,
    updatedBy: instanceId,
  };
}

export function activeWrite(
  cache: LiveCache,
  name: string,
  options: SetActiveOptions,
  instanceId: string,
  now: number,
): ActiveRecord {
  const previous = cache.get(ACTIVE_ID);
  const current = cache.getActive();
  const currentVersion = current?.version ?? 0;
  if (options.expectedVersion !== undefined && options.expectedVersion !== currentVersion) {
    throw err('LIVE_VERSION_CONFLICT', {
      what: 'the active region',
      expected: options.expectedVersion,
      actual: currentVersion,
    });
  }
  // Re-asserting the same region (a new reason) does not restart its time as the active region.
  const activeSince = current?.name === name ? current.activeSince : (options.since ?? now);
  return {
    kind: 'active',
    id: ACTIVE_ID,
    data: { name, activeSince, reason: options.reason, ...meta(previous, instanceId, now) },
  };
}

export function regionHealthWrite(
  cache: LiveCache,
  name: string,
  patch: RegionHealthPatch,
  instanceId: string,
  now: number,
): RegionRecord {
  const id = regionId(name);
  const previous = cache.get(id);
  const m = meta(previous, instanceId, now);
  const base = cache.getRegion(name) ?? newRegion(name, m);
  return { kind: 'region', id, deleted: false, data: { ...base, ...definedOnly(patch), ...m, name } };
}

export function regionRemoval(cache: LiveCache, name: string, instanceId: string, now: number): RegionRecord {
  const id = regionId(name);
  const m = meta(cache.get(id), instanceId, now);
  return { kind: 'region', id, deleted: true, data: newRegion(name, m) };
}

export function simulationWrite(
  cache: LiveCache,
  region: string,
  until: number | null,
  instanceId: string,
  now: number,
): SimRecord {
  const id = simId(region);
  return { kind: 'sim', id, data: { region, until, ...meta(cache.get(id), instanceId, now) } };
}

function definedOnly(patch: RegionHealthPatch): RegionHealthPatch {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as RegionHealthPatch;
}
