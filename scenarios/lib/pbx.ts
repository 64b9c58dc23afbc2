/**
 * The scenarios' PBX: a sipp UAC (sipp-scenarios/pbx-uac-logged.xml) placing a bounded number of calls at a
 * steady rate through geored, logging each call's start, answer and end with sipp's clock, so a call whose
 * setup failed is told from one whose teardown failed, and each call's setup delay is the PBX's own view.
 */
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSipp } from '../../test/helpers/sipp';

export interface PbxCall {
  readonly callId: string;
  /** sipp clock (ms since sipp started) when the INVITE went out. */
  readonly startMs: number;
  /** sipp clock when the 200 to the INVITE arrived; null: the setup failed. */
  readonly answeredMs: number | null;
  /** sipp clock when the 200 to the BYE arrived; null: never ended cleanly. */
  readonly endedMs: number | null;
  /** Every logged event of the call (start, answered, reinvited, updated, ended) by name. */
  readonly events: Readonly<Record<string, number>>;
}

export interface PbxRun {
  readonly code: number | null;
  readonly output: string;
  /** Wall-clock time (Date.now()) at which sipp's clock read 0, give or take its start-up. */
  readonly epochMs: number;
  /** Calls the load was to place (sipp -m). */
  readonly planned: number;
  readonly calls: PbxCall[];
}

export interface PbxLoad {
  /** Resolves when sipp has placed every call and they ended (or its timeout passed). */
  readonly done: Promise<PbxRun>;
  readonly startedAt: number;
}

/** Starts `calls` calls at `rate`/s to geored's SIP port; `timeoutS` bounds the whole run. */
export async function startPbxLoad(opts: {
  readonly target: number;
  readonly calls: number;
  readonly rate: number;
  readonly timeoutS: number;
  readonly scenario?: string;
}): Promise<PbxLoad> {
  const dir = mkdtempSync(join(tmpdir(), 'geored-scn-pbx-'));
  const logFile = join(dir, 'calls.log');
  const startedAt = Date.now();
  const sipp = await startSipp({
    scenario: opts.scenario ?? 'pbx-uac-logged.xml',
    extraArgs: [
      `127.0.0.1:${opts.target}`,
      '-s',
      '15550001',
      '-m',
      String(opts.calls),
      '-r',
      String(opts.rate),
      '-timeout',
      `${opts.timeoutS}s`,
      // A call whose INVITE got a 100 from a geored that was then SIGKILLed waits for its final answer
      // forever (a 100 stops the INVITE's retransmissions): after 40 s of silence (beyond Timer B's 32 s,
      // so no answer geored could still give is cut short) it is aborted and counts as a failed setup,
      // instead of holding the run until -timeout.
      '-recv_timeout',
      '40000',
      '-trace_logs',
      '-log_file',
      logFile,
    ],
  });
  // sipp's own -timeout does not end a run whose calls wait for answers that never come (seen with BYEs to
  // a region that stayed blackholed), so the bound is enforced here too: SIGTERM lets sipp flush its log.
  const guard = setTimeout(() => sipp.process.kill('SIGTERM'), (opts.timeoutS + 10) * 1000);
  guard.unref();
  const done = sipp.exited.then((code) => ({
    code: (clearTimeout(guard), code),
    output: sipp.output(),
    epochMs: startedAt,
    planned: opts.calls,
    calls: parseCallLog(existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''),
  }));
  return { done, startedAt };
}

export function parseCallLog(text: string): PbxCall[] {
  const byId = new Map<string, Record<string, number>>();
  for (const line of text.split('\n')) {
    const [event, callId, tick] = line.trim().split(/\s+/);
    if (!event || !callId || tick === undefined) continue;
    if (event === 'start') byId.set(callId, {});
    const c = byId.get(callId);
    if (c) c[event] = Number(tick);
  }
  return [...byId.entries()].map(([callId, events]) => ({
    callId,
    startMs: events['start']!,
    answeredMs: events['answered'] ?? null,
    endedMs: events['ended'] ?? null,
    events,
  }));
}
