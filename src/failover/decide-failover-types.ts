/**
 * Inputs and outputs of the failover decisions. The engine gathers a FailoverInput from live state, calls
 * decideFailover with the clock, and applies (and records) the decision; these types carry no behaviour.
 */
import type { FailbackConfig, FailoverConfig } from '../config/types';
import type { HealthState } from '../model/health-state';

/** The part of the resolved configuration failover decisions read (GeoConfig satisfies it). */
export interface FailoverDecisionConfig {
  readonly failover: FailoverConfig;
  readonly failback: FailbackConfig;
}

export interface RegionView {
  readonly name: string;
  readonly priority: number;
  readonly weight: number;
  readonly state: HealthState;
  /** When the region entered its current state (the engine notes state changes); null if unknown. */
  readonly stateSince: number | null;
  /** From decideHealth. */
  readonly healthySince: number | null;
  readonly firstFailureAt: number | null;
  readonly score: number | null;
  /** Trunk registration; 'none' when the region has no credentials. Only the test-failover plan reads it. */
  readonly registration?: 'registered' | 'failed' | 'none';
}

export interface ScheduledFailover {
  readonly id: string;
  readonly target: string;
  readonly start: number;
  /** Exclusive. */
  readonly end: number;
  readonly reason?: string;
}

/**
 * Why the active region is what it is, when an operator chose it. Held by the engine: set from the
 * `pin` of a switch decision, kept otherwise (cleared on a `stay` with `clear_pin`).
 */
export type Pin =
  | {
      readonly kind: 'manual';
      readonly target: string;
      readonly at: number;
      readonly by: string;
      readonly reason: string;
    }
  | { readonly kind: 'scheduled'; readonly id: string; readonly target: string };

export interface FailbackApproval {
  readonly to: string;
  readonly by: string;
  readonly at: number;
}

export interface FailoverInput {
  readonly regions: readonly RegionView[];
  readonly active: string | null;
  readonly activeSince: number | null;
  readonly pin: Pin | null;
  /** Scheduled failovers not cancelled (past ones may be included; only those in force matter). */
  readonly scheduled: readonly ScheduledFailover[];
  /** An operator's approval of a failback (failback.automatic false). */
  readonly failbackApproval: FailbackApproval | null;
  /** Times of recent automatic switches, for the flap guard. */
  readonly recentSwitches: readonly number[];
}

export type FailoverDecision =
  | {
      readonly kind: 'stay';
      readonly active: string | null;
      readonly reason: string;
      readonly clear_pin?: true;
    }
  | {
      readonly kind: 'switch';
      readonly from: string | null;
      readonly to: string;
      /** geo_failover_history.automatic: false for scheduled and approved switches. */
      readonly automatic: boolean;
      /** geo_failover_history.initiated_by. */
      readonly initiated_by: string;
      readonly reason: string;
      /** From the first failed check of `from` to now, for failovers caused by a failure. */
      readonly duration_ms?: number;
      /** The pin to hold after this switch (null: none). */
      readonly pin: Pin | null;
    }
  | {
      readonly kind: 'suppress';
      readonly from: string | null;
      readonly wanted_to: string;
      readonly reason: string;
    }
  | { readonly kind: 'await-approval'; readonly from: string; readonly to: string; readonly reason: string }
  | { readonly kind: 'all-down'; readonly keep: string | null; readonly reason: string };

/** initiated_by of decisions geored takes by itself. */
export const INITIATED_BY_GEORED = 'geored';
