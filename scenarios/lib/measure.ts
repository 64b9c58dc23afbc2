/**
 * What a fault cost, from three independent views: the PBX's (sipp's per-call log: setups that failed, and
 * each setup's delay), geored's REST API (failover history, call records) and geored's own log lines.
 */
import type { PbxCall, PbxRun } from './pbx';
import type { CallRecord, FailoverRow, World } from './world';

export type Mode = 'test' | 'full';

/** The load of a scenario: short and bounded in `npm test`, longer in `npm run scenarios`. */
export const LOAD: Record<Mode, { rate: number; seconds: number }> = {
  test: { rate: 20, seconds: 4 },
  full: { rate: 30, seconds: 20 },
};

export interface Invariant {
  /** One sentence, always true when the product is right. */
  readonly statement: string;
  readonly holds: boolean;
  /** What was seen (the numbers behind the verdict). */
  readonly detail: string;
}

export interface Measured {
  /** Calls the load was to place, and those the PBX did place. */
  readonly planned: number;
  readonly attempted: number;
  /** Calls whose INVITE never got its 200 at the PBX. */
  readonly failedSetups: number;
  /** Calls set up whose BYE never got its 200 (not a setup failure, but a cost). */
  readonly unendedCalls: number;
  readonly failovers: number;
  /** Failovers away from a region the scenario did not take down. */
  readonly falseFailovers: number;
  /** Fault start → first failover (or the faulted region's first health change when nothing fails over). */
  readonly detectionMs: number | null;
  readonly detectedBy: string;
  /** Calls the fault caught (see the scenario's rule) and their setup delay beyond the pre-fault median. */
  readonly caught: number;
  readonly extraDelayP50Ms: number | null;
  readonly extraDelayMaxMs: number | null;
  /** Calls the PBX saw answered that have no call record. */
  readonly recordsLost: number;
  readonly decisiveLogs: string[];
}

export interface ScenarioResult {
  readonly name: string;
  readonly title: string;
  readonly mode: Mode;
  readonly measured: Measured;
  readonly invariants: Invariant[];
  readonly notes: string[];
}

export interface Scenario {
  readonly name: string;
  readonly title: string;
  /** The invariant in one sentence, for the table. */
  readonly invariant: string;
  run(mode: Mode): Promise<ScenarioResult>;
}

export interface MeasureOptions {
  readonly run: PbxRun;
  /** Wall-clock time the fault began and (if it did) ended. */
  readonly faultStart: number;
  readonly faultEnd?: number | null;
  /** Regions the scenario really took down: failing over away from them is not false. */
  readonly faultedRegions: readonly string[];
  /** Region whose health change counts as detection when nothing fails over. */
  readonly watchedRegion?: string;
  /**
   * Which calls the fault caught: 'failed-over' (their record shows more than one attempt) or 'in-window'
   * (they started while the fault was on).
   */
  readonly caught: 'failed-over' | 'in-window';
  readonly history?: FailoverRow[];
  readonly records?: CallRecord[];
}

export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

const setup = (c: PbxCall): number | null => (c.answeredMs === null ? null : c.answeredMs - c.startMs);

export async function measure(world: World, o: MeasureOptions): Promise<Measured> {
  const calls = o.run.calls;
  const history = o.history ?? (await world.history());
  const records = o.records ?? (await world.callRecords());
  const byId = new Map(records.map((r) => [r.call_id, r]));
  const wall = (c: PbxCall): number => o.run.epochMs + c.startMs;
  const faultEnd = o.faultEnd ?? Number.POSITIVE_INFINITY;

  const failovers = history.filter(
    (h) => h.from_region !== null && Date.parse(h.occurred_at) >= o.run.epochMs,
  );
  const falseFailovers = failovers.filter((h) => h.automatic && !o.faultedRegions.includes(h.from_region!));
  const first = failovers
    .filter((h) => Date.parse(h.occurred_at) >= o.faultStart)
    .sort((a, b) => Date.parse(a.occurred_at) - Date.parse(b.occurred_at))[0];
  let detectionMs: number | null = null;
  let detectedBy = 'not detected';
  if (first) {
    detectionMs = Date.parse(first.occurred_at) - o.faultStart;
    detectedBy = `failover ${first.from_region} → ${first.to_region}`;
  } else if (o.watchedRegion) {
    const change = world
      .logs()
      .find(
        (l) =>
          l['region'] === o.watchedRegion &&
          typeof l['to'] === 'string' &&
          typeof l['time'] === 'number' &&
          l['time'] >= o.faultStart,
      );
    if (change) {
      detectionMs = (change['time'] as number) - o.faultStart;
      detectedBy = `${o.watchedRegion} ${String(change['from'])} → ${String(change['to'])}`;
    }
  }

  const before = calls.filter((c) => wall(c) < o.faultStart).map(setup);
  const baseline = percentile(
    before.filter((v): v is number => v !== null),
    50,
  );
  const caughtCalls = calls.filter((c) => {
    if (o.caught === 'in-window') return wall(c) >= o.faultStart && wall(c) < faultEnd;
    return (byId.get(c.callId)?.attempts.length ?? 0) > 1;
  });
  const extra = caughtCalls
    .map(setup)
    .filter((v): v is number => v !== null)
    .map((v) => Math.max(0, v - (baseline ?? 0)));

  return {
    planned: o.run.planned,
    attempted: calls.length,
    failedSetups: calls.filter((c) => c.answeredMs === null).length,
    unendedCalls: calls.filter((c) => c.answeredMs !== null && c.endedMs === null).length,
    failovers: failovers.length,
    falseFailovers: falseFailovers.length,
    detectionMs,
    detectedBy,
    caught: caughtCalls.length,
    extraDelayP50Ms: percentile(extra, 50),
    extraDelayMaxMs: extra.length ? Math.max(...extra) : null,
    recordsLost: calls.filter((c) => c.answeredMs !== null && !byId.has(c.callId)).length,
    decisiveLogs: decisiveLogs(world, o.faultStart),
  };
}

/**
 * The log lines that tell the story: warnings and errors, and every active-region change, from the fault on;
 * the same message is shown once (with how often it came).
 */
export function decisiveLogs(world: World, since: number, max = 8): string[] {
  const seen = new Map<string, { line: string; count: number }>();
  for (const l of world.logs()) {
    const time = typeof l['time'] === 'number' ? l['time'] : 0;
    if (time < since - 50) continue;
    const level = typeof l['level'] === 'number' ? l['level'] : 30;
    const isSwitch = 'automatic' in l && typeof l['to'] === 'string';
    if (level < 40 && !isSwitch) continue;
    const msg = String(l['msg'] ?? '');
    const key = `${level}:${msg}`;
    const prior = seen.get(key);
    if (prior) {
      prior.count++;
      continue;
    }
    const name = level >= 50 ? 'ERROR' : level >= 40 ? 'WARN' : 'INFO';
    seen.set(key, { line: `+${((time - since) / 1000).toFixed(2)} s ${name} ${msg}`, count: 1 });
  }
  return [...seen.values()].slice(0, max).map((s) => (s.count > 1 ? `${s.line} (×${s.count})` : s.line));
}

/** The usual three invariants where a healthy region exists. */
export function coreInvariants(m: Measured, opts: { falseFailoversAllowed?: boolean } = {}): Invariant[] {
  const out: Invariant[] = [
    {
      statement: 'zero failed setups while a healthy region exists',
      holds: m.failedSetups === 0,
      detail: `${m.failedSetups} of ${m.attempted} setups failed`,
    },
    {
      statement: 'no call record lost',
      holds: m.recordsLost === 0,
      detail: `${m.recordsLost} answered calls without a record`,
    },
  ];
  if (!opts.falseFailoversAllowed) {
    out.push({
      statement: 'zero false failovers',
      holds: m.falseFailovers === 0,
      detail: `${m.falseFailovers} failovers away from a region that was not down`,
    });
  }
  return out;
}

export function callsFor(mode: Mode): { calls: number; rate: number } {
  const l = LOAD[mode];
  return { calls: l.rate * l.seconds, rate: l.rate };
}
