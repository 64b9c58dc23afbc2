/**
 * decideQuorum: the health state several geored instances agree on for one region, from each instance's
 * own view (its probes and its own calls), the quorum setting and the clock.
 *
 * Why: one instance whose own network path to a region breaks must not move everyone's traffic. As Route 53
 * (an endpoint is unhealthy when enough of its checkers fail it) and Cloudflare (a majority of data centres)
 * do, a region is only as bad as a quorum of fresh views says: the agreed state is the worst state that at
 * least `required` fresh views reach or exceed (the required-th worst view). A view is stale when its last
 * check is older than `staleAfterMs`; a dead instance's view stops counting. The rules are
 * docs/health-and-failover.md "Health seen from several instances"; keep the two in step.
 */
import type { QuorumSetting } from '../config/types';
import type { CallOutcome } from './decide-health-types';
import { HealthState } from '../model/health-state';
import { seconds } from './decide-format';

export type { QuorumSetting };

/**
 * Whether a call's outcome says something about the region itself rather than about the path of the
 * instance that carried it: an answer (200, 408, 5xx) came from the region, so every instance's view takes
 * it; silence and transport errors may be this instance's own path, so they stay in its own view.
 */
export function answeredByRegion(outcome: CallOutcome): boolean {
  return outcome === 'ok' || outcome === '408' || outcome === '5xx';
}

/** One instance's view of one region, as it published it. */
export interface InstanceView {
  readonly instance: string;
  readonly state: HealthState;
  readonly reason: string;
  /** Epoch ms of the instance's last probe of the region; null before its first. */
  readonly checkedAt: number | null;
}

export interface QuorumConfig {
  readonly quorum: QuorumSetting;
  /** A view whose last check is older than this does not count. */
  readonly staleAfterMs: number;
}

export interface QuorumDecision {
  readonly state: HealthState;
  /** One sentence, logged and recorded as the region's reason. */
  readonly reason: string;
  /** Views needed to agree; null when no view is fresh. */
  readonly required: number | null;
  /** Instances whose views counted, and those that did not (stale or without a check). */
  readonly counted: readonly string[];
  readonly ignored: readonly string[];
  /** The counted instances that see the region at least as bad as `state`, worst first. */
  readonly agreeing: readonly string[];
  /** A counted instance in exactly the agreed state whose details (score, times) stand for the region. */
  readonly source: string | null;
}

/** From better to worse; the agreed state is read along this order. */
const SEVERITY: readonly HealthState[] = [
  HealthState.HEALTHY,
  HealthState.WARNING,
  HealthState.DEGRADED,
  HealthState.CRITICAL,
  HealthState.DOWN,
];

export function severity(state: HealthState): number {
  return SEVERITY.indexOf(state);
}

/** How many of `fresh` views must agree under `q`; the configured number may exceed `fresh`. */
export function requiredViews(q: QuorumSetting, fresh: number): number {
  if (q === 'majority') return Math.floor(fresh / 2) + 1;
  if (q >= 1) return q;
  return Math.max(1, Math.ceil(q * fresh - 1e-9));
}

export function describeQuorum(q: QuorumSetting): string {
  if (q === 'majority') return 'majority';
  if (q >= 1) return String(q);
  return `${Number((q * 100).toFixed(2))} %`;
}

export function decideQuorum(
  region: string,
  views: readonly InstanceView[],
  cfg: QuorumConfig,
  now: number,
  /** The agreed state so far, kept while no view is fresh (null: none yet, HEALTHY as before a probe). */
  previous: HealthState | null,
): QuorumDecision {
  const sorted = [...views].sort((a, b) => (a.instance < b.instance ? -1 : a.instance > b.instance ? 1 : 0));
  const fresh = sorted.filter((v) => v.checkedAt !== null && now - v.checkedAt <= cfg.staleAfterMs);
  const ignored = sorted.filter((v) => !fresh.includes(v));
  const ignoredText = ignoredNote(ignored, cfg, now);
  if (fresh.length === 0) {
    const kept = previous ?? HealthState.HEALTHY;
    return {
      state: kept,
      reason:
        `${region} stays ${upper(kept)}: no instance has a fresh view of it` +
        (ignoredText ? ` (${ignoredText})` : ''),
      required: null,
      counted: [],
      ignored: ignored.map((v) => v.instance),
      agreeing: [],
      source: null,
    };
  }
  const required = requiredViews(cfg.quorum, fresh.length);
  const worstFirst = [...fresh].sort((a, b) => severity(b.state) - severity(a.state));
  // The required-th worst view; with fewer fresh views than required, even the best one is no quorum.
  const pivot = worstFirst[required - 1];
  // With fewer fresh views than required no state worse than HEALTHY has a quorum.
  const state = pivot ? pivot.state : HealthState.HEALTHY;
  const agreeing = worstFirst.filter((v) => severity(v.state) >= severity(state));
  const source = fresh.find((v) => v.state === state) ?? null;
  const n = fresh.length;
  const q = `quorum ${required}${typeof cfg.quorum !== 'number' || cfg.quorum >= 1 ? '' : ` (${describeQuorum(cfg.quorum)})`}`;
  const unreachable = pivot ? '' : `, which ${n} fresh view${n === 1 ? '' : 's'} cannot reach`;
  const tail = ignoredText ? `; ${ignoredText}` : '';
  const worse = worstFirst.filter((v) => severity(v.state) > severity(state));
  let reason: string;
  if (worse.length === 0) {
    const k = agreeing.length;
    const who =
      n === 1
        ? `the only instance with a fresh view (${fresh[0]!.instance}) sees`
        : `${k} of ${n} instances ${k === 1 ? 'sees' : 'see'}`;
    reason = `${region} is ${upper(state)}: ${who} it ${upper(state)} (${q}${unreachable}): ${source!.reason}${tail}`;
  } else {
    const worst = worse[0]!.state;
    const seeWorse = worse.filter((v) => v.state === worst);
    const names = seeWorse.map((v) => v.instance).join(', ');
    const k = seeWorse.length;
    const why = `${k === 1 && pivot ? 'only ' : ''}${k} of ${n} instance${n === 1 ? '' : 's'} ${k === 1 ? 'sees' : 'see'} it ${upper(worst)} (${q}${unreachable})`;
    const path =
      k === 1 ? `instance ${names}'s own path may be broken` : `instances ${names} may share a broken path`;
    reason = `${region} is ${upper(state)}, not ${upper(worst)}: ${why}; ${path}${tail}`;
  }
  return {
    state,
    reason,
    required,
    counted: fresh.map((v) => v.instance),
    ignored: ignored.map((v) => v.instance),
    agreeing: agreeing.map((v) => v.instance),
    source: source?.instance ?? null,
  };
}

function ignoredNote(ignored: readonly InstanceView[], cfg: QuorumConfig, now: number): string {
  if (ignored.length === 0) return '';
  const parts = ignored.map((v) =>
    v.checkedAt === null
      ? `${v.instance} has not checked yet`
      : `${v.instance} last checked ${seconds(now - v.checkedAt)} ago`,
  );
  return `not counted: ${parts.join(', ')} (views older than ${seconds(cfg.staleAfterMs)} are stale)`;
}

function upper(state: HealthState): string {
  return state.toUpperCase();
}
