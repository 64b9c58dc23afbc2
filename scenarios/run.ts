/**
 * npm run scenarios [--quick] [name...]: runs the fault scenarios one at a time (the machine is shared) with
 * the longer load (--quick: the `npm test` load) and writes docs/fault-scenarios.md. --render only rewrites
 * the document from the results it holds (after KNOWN_FAILING changed).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { stopAllGeored } from '../test/helpers/geored-process';
import { stopAllSipp } from '../test/helpers/sipp';
import { KNOWN_FAILING, SCENARIOS } from './index';
import { readRecorded, verdict, writeReport } from './lib/report';

const DOC = fileURLToPath(new URL('../docs/fault-scenarios.md', import.meta.url));

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  if (args.includes('--render')) {
    writeReport(DOC, SCENARIOS, readRecorded(DOC), KNOWN_FAILING);
    console.log(`wrote ${DOC}`);
    return 0;
  }
  const names = args.filter((a) => !a.startsWith('--'));
  const unknown = names.filter((n) => !SCENARIOS.some((s) => s.name === n));
  if (unknown.length > 0) {
    console.error(
      `unknown scenario ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`,
    );
    return 2;
  }
  const chosen = names.length ? SCENARIOS.filter((s) => names.includes(s.name)) : SCENARIOS;
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  const recorded = readRecorded(DOC);
  let failed = 0;
  for (const s of chosen) {
    console.log(`— ${s.name}: ${s.title}`);
    const at = new Date().toISOString();
    try {
      const result = await s.run(quick ? 'test' : 'full');
      recorded[s.name] = { result, at, commit };
    } catch (err) {
      recorded[s.name] = {
        error: err instanceof Error ? (err.stack ?? err.message) : String(err),
        at,
        commit,
      };
    } finally {
      await stopAllGeored();
      await stopAllSipp();
    }
    const v = verdict(recorded[s.name]);
    if (v !== 'passed') failed++;
    console.log(`  ${v}`);
    writeReport(DOC, SCENARIOS, recorded, KNOWN_FAILING);
  }
  console.log(`wrote ${DOC}`);
  return failed > 0 ? 1 : 0;
}

process.exitCode = await main();
