/**
 * `geored status`: every region with its health state, score, latency, registration and last check, and
 * which one is active — what an operator looks at first during an incident. `--json` gives the same
 * data (GET .../regions, .../active-region, and each region's health and metrics) as one document.
 */
import type { ActiveRegion, RegionHealth, RegionMetrics, RegionStatus } from '../geo/types';
import { paintState } from './colors';
import { ago, latency, score, shortTime } from './format';
import type { CommandIO } from './io';
import {
  contextFor,
  operatorProgram,
  runProgram,
  withCommonOptions,
  type CommonOptions,
  type OperatorContext,
} from './operator-command';
import { ApiFailure, GEO_PATH } from './rest-client';
import { formatTable } from './table';

export interface RegionReport extends RegionStatus {
  health: RegionHealth;
  metrics: RegionMetrics;
}

export interface StatusReport {
  active_region: ActiveRegion | null;
  regions: RegionReport[];
}

/** Reads everything `status` shows; also used by `drill` to check the region it is about to fail. */
export async function readStatus(ctx: OperatorContext): Promise<StatusReport> {
  const { client } = ctx;
  const [{ regions }, active] = await Promise.all([
    client.request<{ regions: RegionStatus[] }>('GET', `${GEO_PATH}/regions`),
    client.request<ActiveRegion>('GET', `${GEO_PATH}/active-region`).catch((err: unknown) => {
      // No active region is a state worth showing, not a failure of the command.
      if (err instanceof ApiFailure && err.code === 'API_NO_ACTIVE_REGION') return null;
      throw err;
    }),
  ]);
  const enc = encodeURIComponent;
  const reports = await Promise.all(
    regions.map(async (r) => {
      const [health, metrics] = await Promise.all([
        client.request<RegionHealth>('GET', `${GEO_PATH}/regions/${enc(r.name)}/health`),
        client.request<RegionMetrics>('GET', `${GEO_PATH}/regions/${enc(r.name)}/metrics`),
      ]);
      return { ...r, health, metrics };
    }),
  );
  return { active_region: active, regions: reports };
}

/** The latest round trip: the newest successful check with a latency, else the average over the window. */
function latestLatency(r: RegionReport): number | null {
  const timed = r.health.checks.filter((c) => c.success && c.latency_ms !== null);
  timed.sort((a, b) => b.checked_at.localeCompare(a.checked_at));
  return timed[0]?.latency_ms ?? (r.metrics.average_latency_ms > 0 ? r.metrics.average_latency_ms : null);
}

/**
 * With several instances (Redis), how their views split: the worst state a counted view holds and how many
 * hold it, e.g. `2/3 down`. Empty for one instance, or a server without views.
 */
export function viewsText(h: RegionHealth): string {
  if (!h.quorum?.shared) return '';
  const counted = h.views.filter((v) => v.counted);
  if (counted.length === 0) return '0 fresh';
  const order = ['healthy', 'warning', 'degraded', 'critical', 'down'];
  const worst = counted.reduce(
    (w, v) => (order.indexOf(v.state) > order.indexOf(w) ? v.state : w),
    'healthy',
  );
  const k = counted.filter((v) => v.state === worst).length;
  return `${k}/${counted.length} ${worst} (quorum ${h.quorum.required ?? '–'})`;
}

export function statusLines(report: StatusReport, ctx: Pick<OperatorContext, 'c'>, now: number): string[] {
  const { c } = ctx;
  const active = report.active_region;
  const head = active
    ? `active region: ${c.bold(active.name)} (${paintState(c, active.health_state)}, since ${shortTime(active.active_since)})`
    : c.red('active region: none (no region is eligible)');
  if (report.regions.length === 0) return [head, 'no regions are configured'];
  // Instances sharing Redis: each region's split of views, e.g. "2/3 down (quorum 2)".
  const shared = report.regions.some((r) => r.health.quorum?.shared === true);
  const columns = [
    { header: '' },
    { header: 'REGION' },
    { header: 'PRIORITY', right: true },
    { header: 'STATE' },
    { header: 'SCORE', right: true },
    { header: 'LATENCY', right: true },
    { header: 'REGISTRATION' },
    { header: 'LAST CHECK' },
    ...(shared ? [{ header: 'VIEWS' }] : []),
    { header: 'REASON' },
  ];
  const rows = report.regions.map((r) => [
    r.is_active ? '*' : '',
    r.name,
    String(r.priority),
    r.health.simulated_until !== null ? `${r.health_state} (simulated)` : r.health_state,
    score(r.health.score),
    latency(latestLatency(r)),
    r.health.registration,
    ago(r.last_check, now),
    ...(shared ? [viewsText(r.health)] : []),
    r.health.reason,
  ]);
  const table = formatTable(columns, rows, (text, row, col) => {
    const region = report.regions[row]!;
    if (col === 3) return paintState(c, region.health_state, text);
    if (col === 6 && region.health.registration === 'failed') return c.red(text);
    if (col === 0 || (col === 1 && region.is_active)) return c.bold(text);
    return text;
  });
  return [head, '', ...table];
}

export async function run(
  args: string[],
  io: CommandIO,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  let job: (() => Promise<number>) | null = null;
  const program = withCommonOptions(
    operatorProgram(
      'status',
      'Regions, health states, scores, latency, registration and the active region.',
      io,
    ),
  ).action((opts: CommonOptions) => {
    job = async () => {
      const ctx = contextFor(opts, io, env);
      const report = await readStatus(ctx);
      if (ctx.json) ctx.printJson(report);
      else for (const line of statusLines(report, ctx, Date.now())) io.out(line);
      return 0;
    };
  });
  return runProgram(program, 'status', args, io, () => job?.() ?? null);
}
