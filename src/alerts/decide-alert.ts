/**
 * Send or suppress, in Alertmanager's manner: one condition per region (region_down:us-east-1) is sent
 * once and not again within the repeat interval while it lasts; a recovery is sent once, and only for a
 * condition that was alerted; a region that flaps inside the repeat interval raises no new message, but
 * if it is still failing when the interval is over it is sent then (recheckAt). Pure: state, settings and
 * clock in, the decision, its sentence and the new condition states out.
 */
import type { Alert } from './types';
import { TEST_EVENT } from './types';

export interface ConditionState {
  /** The condition holds now (raised and not cleared). */
  readonly open: boolean;
  /** The operator was told about the current episode. */
  readonly notified: boolean;
  /** When this condition was last alerted (its trigger; a recovery does not move it). */
  readonly lastSentAt: number | null;
}

export interface AlertDecisionConfig {
  readonly on_events: readonly string[];
  /** Seconds. */
  readonly repeat_interval: number;
}

export interface AlertDecision {
  readonly kind: 'send' | 'suppress';
  readonly reason: string;
  /** Condition states to store after this decision. */
  readonly updates: ReadonlyArray<readonly [string, ConditionState]>;
  /** Epoch ms to look again (a flapping condition that may still hold when the interval is over). */
  readonly recheckAt?: number;
  /**
   * A recovery that is sent: the conditions it clears that were alerted (a subset of the alert's
   * `resolves`), so PagerDuty is asked to resolve only incidents it was asked to open.
   */
  readonly clears?: readonly string[];
}

const secs = (ms: number) => `${Math.round(ms / 1000)} s`;

export function decideAlert(
  alert: Alert,
  conditions: ReadonlyMap<string, ConditionState>,
  config: AlertDecisionConfig,
  now: number,
): AlertDecision {
  const what = `${alert.event}${alert.region ? ` for ${alert.region}` : ''}`;
  if (alert.event === TEST_EVENT) {
    return { kind: 'send', reason: 'a test alert asked for through the API is always sent', updates: [] };
  }
  const repeatMs = config.repeat_interval * 1000;
  if (alert.kind === 'resolve') {
    const told = alert.resolves.filter((c) => {
      const s = conditions.get(c);
      return s?.open === true && s.notified;
    });
    const updates = alert.resolves
      .filter((c) => conditions.get(c)?.open === true)
      .map((c) => [c, { open: false, notified: false, lastSentAt: conditions.get(c)!.lastSentAt }] as const);
    if (alert.silent) {
      return {
        kind: 'suppress',
        reason: `${alert.reason}: this clears the condition, with no message`,
        updates,
      };
    }
    if (told.length === 0) {
      return {
        kind: 'suppress',
        reason: `${what} not sent: no alert sent for it is still open, so there is nothing to recover from`,
        updates,
      };
    }
    if (!config.on_events.includes(alert.event)) {
      return { kind: 'suppress', reason: `${what} not sent: ${alert.event} is not in on_events`, updates };
    }
    return {
      kind: 'send',
      reason: `${what} sent once: it clears ${told.join(', ')}, which ${told.length === 1 ? 'was' : 'were'} alerted`,
      // lastSentAt stays the trigger's: the repeat interval runs from when the condition was alerted.
      updates,
      clears: told,
    };
  }

  const state = conditions.get(alert.condition);
  if (!config.on_events.includes(alert.event)) {
    // Still tracked, so subscribing later does not replay an episode already under way as new.
    return {
      kind: 'suppress',
      reason: `${what} not sent: ${alert.event} is not in on_events`,
      updates: [
        [
          alert.condition,
          { open: alert.kind === 'trigger', notified: false, lastSentAt: state?.lastSentAt ?? null },
        ],
      ],
    };
  }
  const since = state?.lastSentAt === null || state === undefined ? null : now - state.lastSentAt;
  if (since !== null && since < repeatMs) {
    if (alert.kind === 'notice' || (state!.open && state!.notified)) {
      return {
        kind: 'suppress',
        reason: `${what} not sent again: the same was sent ${secs(since)} ago, within the repeat interval of ${secs(repeatMs)}`,
        updates: [],
      };
    }
    return {
      kind: 'suppress',
      reason:
        `${what} not sent: it was alerted ${secs(since)} ago and cleared since; a flapping region is not ` +
        `alerted again within the repeat interval of ${secs(repeatMs)} (it is sent then if it still holds)`,
      updates: [[alert.condition, { open: true, notified: false, lastSentAt: state!.lastSentAt }]],
      recheckAt: state!.lastSentAt! + repeatMs,
    };
  }
  return {
    kind: 'send',
    reason:
      since === null
        ? `${what} sent: a new condition`
        : `${what} sent: the last one went out ${secs(since)} ago, beyond the repeat interval of ${secs(repeatMs)}`,
    updates: [
      [
        alert.condition,
        { open: alert.kind === 'trigger', notified: alert.kind === 'trigger', lastSentAt: now },
      ],
    ],
  };
}

/** At recheckAt: a condition raised during a flap and never told is sent if it still holds. */
export function decideRecheck(
  condition: string,
  conditions: ReadonlyMap<string, ConditionState>,
  now: number,
): AlertDecision {
  const s = conditions.get(condition);
  if (s?.open === true && !s.notified) {
    return {
      kind: 'send',
      reason: `${condition} still holds after flapping through the repeat interval: sent now`,
      updates: [[condition, { open: true, notified: true, lastSentAt: now }]],
    };
  }
  return {
    kind: 'suppress',
    reason: `${condition} ${s?.open ? 'was told already' : 'cleared'} by the end of the repeat interval: nothing to send`,
    updates: [],
  };
}
