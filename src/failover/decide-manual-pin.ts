/**
 * The manual-pin restart rule: after a restart, the first healthy stretch of a region starts at its first
 * probe, which says nothing about a failure while geored was down. Without evidence of one — a failure seen
 * since the restart, or a failback request recorded after the pin — an operator's earlier manual choice
 * holds, so the region counts as healthy since the pin rather than since the restart (and failback does not
 * undo the operator's switch just because geored restarted).
 */
import type { Pin } from './decide-failover-types';

export interface ManualPinFacts {
  readonly region: string;
  /** When the region has been healthy since (live state), null when it is not healthy. */
  readonly healthySince: number | null;
  readonly pin: Pin | null;
  /** When this instance loaded the store at start (null before it did). */
  readonly loadedAt: number | null;
  /** Whether the region was seen failing (not HEALTHY nor WARNING) since the load. */
  readonly failedSinceLoad: boolean;
  /** When failback requests to this region were recorded (ms). */
  readonly failbackRequestedAt: readonly number[];
}

export interface ManualPinDecision {
  /** 'hold': the region counts as healthy since the pin; 'as-probed': its probed healthy time stands. */
  readonly decision: 'hold' | 'as-probed';
  /** The healthy-since the failover decision should see. */
  readonly healthySince: number | null;
  readonly reason: string;
}

export function decideManualPin(f: ManualPinFacts): ManualPinDecision {
  const keep = (reason: string): ManualPinDecision => ({
    decision: 'as-probed',
    healthySince: f.healthySince,
    reason,
  });
  const pin = f.pin;
  if (pin?.kind !== 'manual') return keep(`${f.region}: no manual pin, its healthy time is as probed`);
  if (f.healthySince === null) return keep(`${f.region} is not healthy: the manual pin changes nothing`);
  if (f.loadedAt === null || pin.at >= f.loadedAt)
    return keep(`${f.region}: the manual pin was set since the start, its healthy time is as probed`);
  if (f.failedSinceLoad)
    return keep(`${f.region} failed since the restart: its healthy time counts from its recovery`);
  if (f.failbackRequestedAt.some((t) => t > pin.at))
    return keep(`${f.region}: a failback was requested after the manual pin, its healthy time is as probed`);
  return {
    decision: 'hold',
    healthySince: Math.min(f.healthySince, pin.at),
    reason:
      `${f.region} counts as healthy since the manual switch at ${new Date(pin.at).toISOString()}: ` +
      'nothing shows a failure while geored was down, so the operator’s choice holds over the restart',
  };
}
