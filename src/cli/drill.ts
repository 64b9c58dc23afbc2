/**
 * `geored drill --region R --duration S`: the guide's disaster-recovery drill, timed step by step.
 *   1. check     R exists; note whether it is the active region and which regions could take over
 *   2. simulate  POST .../simulate-failure {region, duration}: geored sees R as DOWN, the network untouched
 *   3. down      R reports DOWN
 *   4. failover  when R was active: the active region moves off R (the history row gives the reason)
 *   5. options   an OPTIONS through geored's SIP address, which geored routes to the now-active region
 *   6. calls     no call started since the drill began was carried by R after the failover
 *   7. end       POST .../end-simulation {region} — always, once the simulation started
 * Exit 1 when any step failed; skipped steps (nothing to check) do not fail the drill.
 */
import type { ActiveRegion, FailoverRecord, RegionHealth, SimulationInfo } from '../geo/types';
import type { CallRow } from '../store/types';
import { DEFAULT_SERVER } from '../config/defaults';
import { GeoredError } from '../errors/catalogue';
import { buildRequest, resolveTarget, sourceAddressFor, SipStack } from '../sip/stack';
import { hostPort } from '../sip/transport';
import { seconds, shortTime } from './format';
import type { CommandIO } from './io';
import {
  contextFor,
  operatorProgram,
  positiveNumber,
  runProgram,
  withCommonOptions,
  type CommonOptions,
  type OperatorContext,
} from './operator-command';
import { ApiFailure, GEO_PATH } from './rest-client';
import { readStatus } from './status';

export type StepStatus = 'ok' | 'failed' | 'skipped';

export interface DrillStep {
  name: string;
  status: StepStatus;
  /** When the step ended, ms after the drill started. */
  at_ms: number;
  /** How long the step took. */
  took_ms: number;
  detail: string;
}

export interface DrillReport {
  region: string;
  duration: number;
  passed: boolean;
  started_at: string;
  took_ms: number;
  active_before: string | null;
  active_after: string | null;
  steps: DrillStep[];
}

interface DrillOptions extends CommonOptions {
  region: string;
  duration: number;
  timeout?: number;
  sip: string | false;
}

const POLL_MS = 250;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The embedded defaults' first SIP listener: where a local geored takes the PBX's requests. */
export function defaultSipUri(): string {
  const l = DEFAULT_SERVER.sip.listen[0]!;
  return `sip:${hostPort(l.address, l.port)}${l.protocol === 'udp' ? '' : `;transport=${l.protocol}`}`;
}

/** Polls `probe` until it returns a value (not null) or `timeoutMs` passes. */
async function until<T>(timeoutMs: number, probe: () => Promise<T | null>): Promise<T | null> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== null) return v;
    if (performance.now() >= deadline) return null;
    await sleep(POLL_MS);
  }
}

/** One OPTIONS to a user at geored (so it is routed, not answered by geored itself). */
async function optionsThrough(
  sipUri: string,
  timeoutMs: number,
): Promise<{ status: number; reason: string; rttMs: number; synthetic: boolean; cause?: string }> {
  const dest = await resolveTarget(sipUri);
  const local = await sourceAddressFor(dest.address);
  const stack = await SipStack.create({
    listen: [
      { protocol: 'udp', address: local, port: 0 },
      ...(dest.protocol === 'tcp' ? [{ protocol: 'tcp' as const, address: local, port: 0 }] : []),
    ],
  });
  try {
    const self = stack.localEndpoint('udp', dest);
    // A user part and a host that is not geored's: geored forwards it to the region it would pick for a call.
    const uri = 'sip:geored-drill@drill.invalid';
    const req = buildRequest({
      method: 'OPTIONS',
      uri,
      from: `sip:geored-drill@${hostPort(self.address, self.port)}`,
      to: uri,
      headers: [
        ['Accept', 'application/sdp'],
        ['User-Agent', 'geored-drill'],
      ],
    });
    const t0 = performance.now();
    const res = await stack.sendRequest(req, dest, { timeoutMs }).final;
    return {
      status: res.status,
      reason: res.reason,
      rttMs: performance.now() - t0,
      synthetic: res.synthetic === true,
      ...(res.cause ? { cause: res.cause.message } : {}),
    };
  } finally {
    await stack.close();
  }
}

export async function drill(
  ctx: OperatorContext,
  opts: DrillOptions,
  emit: (s: DrillStep) => void,
): Promise<DrillReport> {
  const { client } = ctx;
  const region = opts.region;
  const enc = encodeURIComponent(region);
  const timeoutMs = (opts.timeout ?? Math.min(opts.duration, 120)) * 1000;
  const startedAt = new Date();
  const t0 = performance.now();
  const steps: DrillStep[] = [];
  let stepStart = performance.now();
  const step = (name: string, status: StepStatus, detail: string): void => {
    const now = performance.now();
    const s = { name, status, at_ms: Math.round(now - t0), took_ms: Math.round(now - stepStart), detail };
    steps.push(s);
    emit(s);
    stepStart = now;
  };
  const report = (activeBefore: string | null, activeAfter: string | null): DrillReport => ({
    region,
    duration: opts.duration,
    passed: steps.every((s) => s.status !== 'failed'),
    started_at: startedAt.toISOString(),
    took_ms: Math.round(performance.now() - t0),
    active_before: activeBefore,
    active_after: activeAfter,
    steps,
  });

  // 1. check — a region that does not exist ends the drill here (the API's 404 names it).
  await client.request<RegionHealth>('GET', `${GEO_PATH}/regions/${enc}/health`, {
    what: `region ${region}`,
  });
  const before = await readStatus(ctx);
  const activeBefore = before.active_region?.name ?? null;
  const wasActive = activeBefore === region;
  const backups = before.regions
    .filter((r) => r.name !== region && r.health_state !== 'down')
    .map((r) => r.name);
  step(
    'check',
    'ok',
    `${region} is ${wasActive ? 'the active region' : `not active (active: ${activeBefore ?? 'none'})`}; ` +
      `${backups.length > 0 ? `possible backups: ${backups.join(', ')}` : 'no other region is up'}`,
  );

  // 2. simulate
  let simulated = false;
  let activeAfter: string | null = activeBefore;
  try {
    const sim = await client.request<SimulationInfo>('POST', `${GEO_PATH}/simulate-failure`, {
      body: { region, duration: opts.duration },
      what: `simulate failure of ${region}`,
    });
    simulated = true;
    step('simulate', 'ok', `${region} simulated DOWN until ${shortTime(sim.until)}`);

    // 3. down
    const down = await until(timeoutMs, async () => {
      const h = await client.request<RegionHealth>('GET', `${GEO_PATH}/regions/${enc}/health`);
      return h.state === 'down' ? h : null;
    });
    step(
      'down',
      down ? 'ok' : 'failed',
      down ? `${region} is down: ${down.reason}` : `${region} was not down within ${seconds(timeoutMs)}`,
    );

    // 4. failover
    let failedOverAt: number | null = null;
    if (!wasActive) {
      step('failover', 'skipped', `${region} was not the active region, so no failover is expected`);
    } else {
      const moved = await until(timeoutMs, async () => {
        const a = await client
          .request<ActiveRegion>('GET', `${GEO_PATH}/active-region`)
          .catch((err: unknown) =>
            err instanceof ApiFailure && err.code === 'API_NO_ACTIVE_REGION' ? null : Promise.reject(err),
          );
        return a !== null && a.name !== region ? a : null;
      });
      if (moved) {
        failedOverAt = Date.now();
        activeAfter = moved.name;
        const { failovers } = await client.request<{ failovers: FailoverRecord[] }>(
          'GET',
          `${GEO_PATH}/failover-history`,
          {
            query: { limit: 1 },
          },
        );
        const why =
          failovers[0]?.to_region === moved.name && failovers[0].reason ? `: ${failovers[0].reason}` : '';
        step('failover', 'ok', `active region ${region} → ${moved.name}${why}`);
      } else {
        activeAfter = region;
        step(
          'failover',
          'failed',
          `the active region was still ${region} (or none) after ${seconds(timeoutMs)}`,
        );
      }
    }

    // 5. options
    if (opts.sip === false) step('options', 'skipped', 'skipped (--no-sip)');
    else {
      try {
        const r = await optionsThrough(opts.sip, Math.min(timeoutMs, 8000));
        const where =
          activeAfter !== null && activeAfter !== region ? `, routed by geored to ${activeAfter}` : '';
        if (r.synthetic)
          step('options', 'failed', `OPTIONS via ${opts.sip}: ${r.cause ?? `${r.status} ${r.reason}`}`);
        else
          step(
            'options',
            r.status >= 200 && r.status < 300 ? 'ok' : 'failed',
            `OPTIONS via ${opts.sip}: ${r.status} ${r.reason} in ${r.rttMs.toFixed(1)} ms${where}`,
          );
      } catch (err) {
        if (!(err instanceof GeoredError)) throw err;
        step('options', 'failed', `OPTIONS via ${opts.sip}: ${err.message}`);
      }
    }

    // 6. calls
    const { calls } = await client.request<{ calls: CallRow[] }>('GET', '/api/calls', {
      query: { since: startedAt.toISOString(), limit: 1000 },
    });
    const wrong = calls.filter(
      (call) =>
        failedOverAt !== null && call.region === region && Date.parse(call.started_at) >= failedOverAt,
    );
    const carriers = [...new Set(calls.map((call) => call.region ?? 'none'))];
    step(
      'calls',
      wrong.length > 0 ? 'failed' : 'ok',
      wrong.length > 0
        ? `${wrong.length} call(s) after the failover were carried by ${region}`
        : `${calls.length} call(s) since the drill started${calls.length > 0 ? `, carried by ${carriers.join(', ')}` : ''}`,
    );
  } finally {
    // 7. end — even when a step above threw, a simulation this drill started does not outlive it.
    if (simulated) {
      try {
        const { ended } = await client.request<{ ended: SimulationInfo[] }>(
          'POST',
          `${GEO_PATH}/end-simulation`,
          {
            body: { region },
            what: `end simulation of ${region}`,
          },
        );
        step(
          'end',
          'ok',
          ended.length > 0
            ? `simulation of ${region} ended`
            : `no simulation of ${region} was running any more`,
        );
      } catch (err) {
        if (!(err instanceof ApiFailure)) throw err;
        step('end', 'failed', err.message);
      }
    }
  }
  return report(activeBefore, activeAfter);
}

function stepLine(ctx: OperatorContext, s: DrillStep): string {
  const { c } = ctx;
  const status =
    s.status === 'ok' ? c.green('ok     ') : s.status === 'failed' ? c.red('FAILED ') : c.dim('skipped');
  return `  ${status} ${seconds(s.at_ms).padStart(7)}  ${s.name.padEnd(9)} ${s.detail}`;
}

export async function run(
  args: string[],
  io: CommandIO,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  let job: (() => Promise<number>) | null = null;
  const program = withCommonOptions(
    operatorProgram(
      'drill',
      "Disaster-recovery drill: simulate REGION's failure, check the failover and a request through the backup, end the simulation.",
      io,
    ),
  )
    .requiredOption('--region <name>', 'the region to fail')
    .requiredOption(
      '--duration <seconds>',
      'how long the simulated failure lasts at most',
      positiveNumber(7 * 86_400),
    )
    .option(
      '--timeout <seconds>',
      'how long to wait for each change (default: the duration, at most 120)',
      positiveNumber(3600),
    )
    .option('--sip <uri>', `geored's SIP address for the OPTIONS check`, defaultSipUri())
    .option('--no-sip', 'skip the OPTIONS check (geored not reachable over SIP from here)')
    .action((opts: DrillOptions) => {
      job = async () => {
        const ctx = contextFor(opts, io, env);
        if (!ctx.json) io.out(`DR drill: ${opts.region}, simulated failure for ${opts.duration} s`);
        const result = await drill(ctx, opts, (s) => {
          if (!ctx.json) io.out(stepLine(ctx, s));
        });
        if (ctx.json) ctx.printJson(result);
        else {
          const failed = result.steps.filter((s) => s.status === 'failed').map((s) => s.name);
          io.out(
            failed.length === 0
              ? ctx.c.green(`drill passed in ${seconds(result.took_ms)}`)
              : ctx.c.red(`drill FAILED (${failed.join(', ')}) in ${seconds(result.took_ms)}`),
          );
        }
        return result.passed ? 0 : 1;
      };
    });
  return runProgram(program, 'drill', args, io, () => job?.() ?? null);
}
