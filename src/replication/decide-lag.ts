/**
 * Whether a subscription lags: a pure function of what was measured on its publisher's slot, what geored
 * remembers of it, the thresholds and the clock. A subscriber that is connected has PostgreSQL's own
 * replay lag; one that is not (its server stopped) has none, so its lag in seconds is the time since its
 * slot was last seen streaming. An event is raised only when the lag crosses the threshold, and one more
 * when it falls back under it: never once per verification.
 */

export interface LagSample {
  /** WAL bytes the subscriber has not confirmed, or null when the slot is gone. */
  readonly bytes: number | null;
  /** pg_stat_replication.replay_lag while a walsender streams, else null. */
  readonly seconds: number | null;
  /** A walsender streams to the subscriber now. */
  readonly active: boolean;
}

export interface LagMemory {
  /** When the slot was last seen streaming, or first seen (epoch ms). */
  readonly lastActiveAt: number;
  /** An event said it lags and no recovery was said since. */
  readonly lagging: boolean;
}

export interface LagThresholds {
  readonly lag_alert_seconds: number;
  readonly lag_alert_bytes: number | null;
}

export interface LagDecision {
  readonly seconds: number | null;
  readonly bytes: number | null;
  readonly memory: LagMemory;
  /** 'lagging': it crossed a threshold now; 'recovered': it fell back under both. */
  readonly event: 'lagging' | 'recovered' | null;
  readonly reason: string;
}

export function decideLag(
  channel: { publisher: string; subscriber: string },
  sample: LagSample,
  memory: LagMemory | undefined,
  t: LagThresholds,
  now: number,
): LagDecision {
  const lastActiveAt = sample.active || memory === undefined ? now : memory.lastActiveAt;
  const seconds =
    sample.bytes === 0
      ? 0
      : sample.active
        ? sample.seconds
        : sample.bytes === null
          ? null
          : (now - lastActiveAt) / 1000;
  const overSeconds = seconds !== null && seconds > t.lag_alert_seconds;
  const overBytes = t.lag_alert_bytes !== null && sample.bytes !== null && sample.bytes > t.lag_alert_bytes;
  const over = overSeconds || overBytes;
  const was = memory?.lagging ?? false;
  const { publisher, subscriber } = channel;
  const how = [
    seconds === null ? null : `${seconds.toFixed(1)} s`,
    sample.bytes === null ? null : `${sample.bytes} bytes`,
  ]
    .filter((x) => x !== null)
    .join(', ');
  const limits = `${t.lag_alert_seconds} s${t.lag_alert_bytes === null ? '' : ` or ${t.lag_alert_bytes} bytes`}`;
  const cut = sample.active ? '' : ' (not connected)';
  if (over && !was) {
    return {
      seconds,
      bytes: sample.bytes,
      memory: { lastActiveAt, lagging: true },
      event: 'lagging',
      reason: `${subscriber} lags ${how} behind ${publisher}${cut}, above the threshold of ${limits}`,
    };
  }
  if (!over && was && seconds !== null) {
    return {
      seconds,
      bytes: sample.bytes,
      memory: { lastActiveAt, lagging: false },
      event: 'recovered',
      reason: `${subscriber} is back within ${limits} of ${publisher} (${how})`,
    };
  }
  return {
    seconds,
    bytes: sample.bytes,
    memory: { lastActiveAt, lagging: was && (over || seconds === null) },
    event: null,
    reason: over
      ? `${subscriber} still lags ${how} behind ${publisher}${cut}: said once already`
      : `${subscriber} is within ${limits} of ${publisher}${how ? ` (${how})` : ''}`,
  };
}
