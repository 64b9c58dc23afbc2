/**
 * docs/fault-scenarios.md: the table of what each fault costs and, per scenario, its invariants and the
 * decisive log lines. Results of every scenario ever run are kept in a JSON comment at the end of the file,
 * so a run of a subset replaces only its own rows.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Scenario, ScenarioResult } from './measure';

const MARK = '<!-- results:';

export interface Recorded {
  readonly result?: ScenarioResult;
  /** The scenario threw: what it said. */
  readonly error?: string;
  readonly at: string;
  readonly commit: string;
}

export function readRecorded(file: string): Record<string, Recorded> {
  if (!existsSync(file)) return {};
  const text = readFileSync(file, 'utf8');
  const i = text.lastIndexOf(MARK);
  if (i < 0) return {};
  const json = text.slice(i + MARK.length, text.lastIndexOf('-->'));
  return JSON.parse(json) as Record<string, Recorded>;
}

const ms = (v: number | null): string =>
  v === null ? '–' : v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${Math.round(v)} ms`;
const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function verdict(r: Recorded | undefined): string {
  if (!r) return 'not run';
  if (r.error) return 'FAILED (did not complete)';
  return r.result!.invariants.every((i) => i.holds) ? 'passed' : 'FAILED';
}

export function renderReport(
  scenarios: readonly Scenario[],
  recorded: Record<string, Recorded>,
  known: Readonly<Record<string, string>>,
): string {
  const out: string[] = [
    '# Failover under real faults: what each costs',
    '',
    'Written by `npm run scenarios [name...]` (scenarios/, issue 12); do not edit by hand. Each scenario runs the',
    'real `geored serve` between three sipp regions on loopback (region-1..3 by priority, each behind a seeded',
    'UDP relay that injects loss, delay and blackholes; a TCP region behind a relay that can reset its',
    'connections, a TLS region behind an edge whose certificate can expire), a sipp PBX placing a steady, bounded load',
    "(sipp-scenarios/pbx-uac-logged.xml logs each call's start, answer and end), injects the fault, and reads",
    "the PBX's per-call log, the REST API (failover history, call records) and geored's log.",
    '',
    '- **calls**: calls the PBX attempted. **failed setups**: calls whose INVITE never got its 200 at the PBX.',
    '- **false failovers**: automatic failovers away from a region the scenario did not take down.',
    "- **detection**: fault start → first failover (or, where nothing should fail over, the faulted region's",
    '  first health change).',
    '- **extra setup delay**: setup time at the PBX beyond the median of the calls placed before the fault, for',
    '  the calls the fault caught (per scenario: those failed over per call, or those started during the fault).',
    '- **records lost**: calls the PBX saw answered that have no call record in `GET /api/calls`.',
    '',
    'The same scenarios run in `npm test` (test/scenarios/), shorter, asserting each invariant; never a timing.',
    '',
    '| scenario | verdict | calls | failed setups | false failovers | detection | extra setup delay p50 / max (caught) | records lost |',
    '|---|---|---:|---:|---:|---|---|---:|',
  ];
  for (const s of scenarios) {
    const r = recorded[s.name];
    const m = r?.result?.measured;
    const v = verdict(r);
    out.push(
      `| [${s.name}](#${s.name}) ${cell(s.title)} | ${v} | ${m?.attempted ?? '–'} | ${m?.failedSetups ?? '–'} | ` +
        `${m?.falseFailovers ?? '–'} | ${m ? `${ms(m.detectionMs)} (${cell(m.detectedBy)})` : '–'} | ` +
        `${m ? `${ms(m.extraDelayP50Ms)} / ${ms(m.extraDelayMaxMs)} (${m.caught})` : '–'} | ${m?.recordsLost ?? '–'} |`,
    );
  }
  for (const s of scenarios) {
    const r = recorded[s.name];
    out.push('', `## ${s.name}`, '', `${s.title}. Invariant: ${s.invariant}.`, '');
    if (known[s.name])
      out.push(
        `**Out of \`npm test\` until fixed (KNOWN_FAILING in scenarios/index.ts):** ${known[s.name]}`,
        '',
      );
    if (!r) {
      out.push('Not run yet.');
      continue;
    }
    out.push(`Run ${r.at} (${r.result?.mode ?? '?'} load) at commit ${r.commit}: **${verdict(r)}**.`, '');
    if (r.error) {
      out.push('```', r.error, '```');
      continue;
    }
    const res = r.result!;
    for (const i of res.invariants)
      out.push(`- ${i.holds ? 'holds' : '**FAILED**'}: ${i.statement} (${i.detail})`);
    const m = res.measured;
    if (m.unendedCalls > 0) out.push(`- ${m.unendedCalls} calls set up never had their BYE answered.`);
    for (const n of res.notes) out.push(`- ${n}`);
    if (m.decisiveLogs.length > 0)
      out.push('', 'Decisive log lines (time from the fault):', '', '```', ...m.decisiveLogs, '```');
  }
  out.push('', `${MARK}${JSON.stringify(recorded)}-->`, '');
  return out.join('\n');
}

export function writeReport(
  file: string,
  scenarios: readonly Scenario[],
  recorded: Record<string, Recorded>,
  known: Readonly<Record<string, string>>,
): void {
  writeFileSync(file, renderReport(scenarios, recorded, known));
}
