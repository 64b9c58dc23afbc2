/**
 * Passive health signals — a call's outcome, a TTL check pushed by an operator's script, a trunk
 * registration's state — and their way to the probe leader. Every instance carries calls, but only the
 * leader's monitor writes health, so a follower applies a signal locally (in force if it becomes the leader,
 * or acts as one while Redis is away) and forwards it through live state.
 */
import type { CallOutcome } from '../health/decide-health-types';
import { answeredByRegion } from '../health/decide-quorum';
import type { LiveSignal, RegistrationState as LiveRegistrationState } from '../live/types';
import type { GeoContext } from './context';
import type { RegionRegistry } from './region-registry';
import type { TtlStatus } from './types';

/** Signal kinds a follower sends the probe leader through live state. */
const SIGNAL_TTL = 'geo.ttl-check';
const SIGNAL_CALL = 'geo.call-outcome';
const CALL_OUTCOMES: ReadonlySet<string> = new Set<CallOutcome>([
  'ok',
  'timeout',
  '408',
  '5xx',
  'transport-error',
]);
const TTL_STATUSES: ReadonlySet<string> = new Set<TtlStatus>(['pass', 'warn', 'fail']);

function isCallOutcome(v: unknown): v is CallOutcome {
  return typeof v === 'string' && CALL_OUTCOMES.has(v);
}
function isTtlStatus(v: unknown): v is TtlStatus {
  return typeof v === 'string' && TTL_STATUSES.has(v);
}

export class LeaderSignals {
  constructor(
    private readonly ctx: GeoContext,
    private readonly regions: RegionRegistry,
  ) {}

  pushTtlCheck(
    region: string,
    check: string,
    status: TtlStatus,
    note?: string,
  ): { region: string; check: string; status: TtlStatus } {
    this.regions.require(region);
    // Applied here too (it also validates the check name): this board is in force if this instance becomes
    // the leader, or acts as one while Redis is away.
    this.ctx.checks.pushTtl(region, check, note === undefined ? { status } : { status, note });
    this.forward(SIGNAL_TTL, { region, check, status, ...(note === undefined ? {} : { note }) });
    return { region, check, status };
  }

  /**
   * A per-call outcome from the call path: a passive health signal. `detail` (a transport error's text)
   * goes to the leader with it, so its reason says why too; the monitor bounds it wherever it arrives.
   */
  reportCallOutcome(region: string, outcome: CallOutcome, detail?: string): void {
    if (!this.regions.has(region)) return; // a region removed while its call was in flight
    if (!this.ctx.geo().enabled) return; // no health is kept, so no call marks a region down
    this.ctx.monitor.reportCallOutcome(region, outcome, detail);
    // With a quorum, silence stays in this instance's own view (answeredByRegion); answers go to every view.
    if (this.ctx.quorum.enabled && !answeredByRegion(outcome)) return;
    this.forward(SIGNAL_CALL, { region, outcome, ...(detail === undefined ? {} : { detail }) });
  }

  /**
   * A trunk registration's state, from the call path's registrations: shown by getRegionHealth (through
   * live state, so every instance sees it) and part of the region's health, since a failing registration
   * while OPTIONS pass makes the region DEGRADED. 'registering' leaves health as it was: an attempt in
   * flight says nothing yet.
   */
  async setRegistrationState(region: string, state: LiveRegistrationState, detail?: string): Promise<void> {
    if (!this.regions.has(region)) return; // removed while its registration was ending
    const { monitor, live, log, events, clock } = this.ctx;
    const status =
      state === 'registered'
        ? 'registered'
        : state === 'failed'
          ? 'failed'
          : state === 'unregistered'
            ? 'none'
            : null;
    if (status !== null && monitor.regions().includes(region)) {
      monitor.setRegistrationState(region, status, detail);
    }
    const previous = live.getRegion(region)?.registration ?? null;
    if (previous === state) return;
    try {
      await live.setRegionHealth(region, { registration: state });
    } catch (err) {
      log.warn({ err, region }, 'could not write the registration state to live state');
    }
    if (state === 'registering') return;
    const why =
      state === 'failed'
        ? `the trunk registration in ${region} failed${detail ? `: ${detail}` : ''}`
        : `the trunk registration in ${region} is now ${state}`;
    events.emit({ type: 'registration', region, from: previous, to: state, reason: why, at: clock.now() });
  }

  /**
   * A follower's passive signals go to the probe leader. When they cannot be sent (Redis away) this
   * instance acts as leader itself, and has already applied them locally.
   */
  private forward(kind: string, payload: unknown): void {
    // With a quorum every instance keeps its own view, so what is forwarded goes to all of them.
    if ((this.ctx.isLeader() && !this.ctx.quorum.enabled) || this.ctx.state() !== 'running') return;
    try {
      this.ctx.live.publishSignal(kind, payload);
    } catch (err) {
      this.ctx.log.warn({ err, signal: kind }, 'could not forward a health signal to the probe leader');
    }
  }

  /** A follower's passive signal: only the leader acts on it, as if it had been received here. */
  onSignal(sig: LiveSignal): void {
    // Sent to an instance that has since lost the lock: dropped, as in transit (with a quorum, every view takes it).
    if (!this.ctx.isLeader() && !this.ctx.quorum.enabled) return;
    const p = sig.payload as Record<string, unknown> | null;
    const region = typeof p?.region === 'string' ? p.region : null;
    if (region === null || !this.regions.has(region)) return;
    try {
      if (sig.kind === SIGNAL_CALL && isCallOutcome(p?.outcome)) {
        if (this.ctx.quorum.enabled && !answeredByRegion(p.outcome)) return; // another instance's path
        // Anything but a string is not a detail (a sender of another version): the outcome still counts.
        const detail = typeof p.detail === 'string' ? p.detail : undefined;
        this.ctx.monitor.reportCallOutcome(region, p.outcome, detail);
      } else if (sig.kind === SIGNAL_TTL && typeof p?.check === 'string' && isTtlStatus(p.status)) {
        const note = typeof p.note === 'string' ? p.note : undefined;
        this.ctx.checks.pushTtl(
          region,
          p.check,
          note === undefined ? { status: p.status } : { status: p.status, note },
        );
      }
    } catch (err) {
      // e.g. a TTL check this instance does not know (configurations differ): the sender's problem to see.
      this.ctx.log.warn(
        { err, signal: sig.kind, from: sig.from, region },
        'ignored a health signal from a follower',
      );
    }
  }
}
