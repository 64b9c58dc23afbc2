/**
 * Health views as they are kept: each with the time it expires, so a dead instance's view stops counting
 * (Redis 7.0 has no expiry per hash field, so readers drop expired ones and the leader deletes them).
 */
import { HEALTH_STATES, type HealthState } from '../model/health-state';
import type { HealthView, HealthViewInput } from './types';

export interface StoredView {
  readonly view: HealthView;
  readonly expiresAt: number;
}

export function viewField(region: string, instance: string): string {
  // Region names and instance ids never hold a space (checkName, instance ids are host-pid style).
  return `${region} ${instance}`;
}

export function makeView(input: HealthViewInput, instance: string, now: number): HealthView {
  return { ...input, instance, publishedAt: now };
}

export function encodeView(view: HealthView, ttlMs: number): string {
  return JSON.stringify({ ...view, expiresAt: view.publishedAt + ttlMs });
}

/** A stored view, or null when it is not one (written by another version, or corrupt): never trusted blindly. */
export function decodeView(text: string): StoredView | null {
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof o !== 'object' || o === null) return null;
  const r = o as Record<string, unknown>;
  const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
  const numOrNull = (v: unknown): v is number | null => v === null || num(v);
  if (
    typeof r['region'] !== 'string' ||
    typeof r['instance'] !== 'string' ||
    !HEALTH_STATES.includes(r['state'] as HealthState) ||
    typeof r['reason'] !== 'string' ||
    !numOrNull(r['checkedAt']) ||
    !num(r['publishedAt']) ||
    !num(r['expiresAt']) ||
    !numOrNull(r['score']) ||
    !numOrNull(r['firstFailureAt']) ||
    !numOrNull(r['healthySince'])
  )
    return null;
  return {
    view: {
      region: r['region'],
      instance: r['instance'],
      state: r['state'] as HealthState,
      reason: r['reason'],
      checkedAt: r['checkedAt'],
      publishedAt: r['publishedAt'],
      score: r['score'],
      firstFailureAt: r['firstFailureAt'],
      healthySince: r['healthySince'],
    },
    expiresAt: r['expiresAt'],
  };
}

/** This instance's own views, kept in memory (all there is for memory live state, or Redis away). */
export class OwnViews {
  private readonly views = new Map<string, StoredView>();

  put(view: HealthView, ttlMs: number): void {
    this.views.set(view.region, { view, expiresAt: view.publishedAt + ttlMs });
  }

  remove(region: string): void {
    this.views.delete(region);
  }

  list(now: number): HealthView[] {
    const out: HealthView[] = [];
    for (const [region, s] of this.views) {
      if (s.expiresAt <= now) this.views.delete(region);
      else out.push(s.view);
    }
    return out;
  }
}
