/**
 * `npm run bench`: runs every benchmark, prints the machine and the figures, and rewrites
 * docs/benchmarks.md with the latest results. `npm run bench -- NAME...` runs only those sections.
 * Benchmarks are never part of `npm test`: timings are measured here, not asserted anywhere.
 */
import { writeFileSync } from 'node:fs';
import { describeMachine } from './machine';

export interface BenchSection {
  readonly name: string;
  /** What is measured and what target it is held to, for the report. */
  readonly about: string;
  run(): Promise<string>; // markdown body of the section
}

const SECTIONS: Array<() => Promise<BenchSection>> = [
  async () => (await import('./sip-parse-section')).section,
  async () => (await import('./failover-detect')).section,
  async () => (await import('./proxy-vs-kamailio')).section,
];

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const machine = describeMachine();
  console.log(machine + '\n');
  const parts: string[] = [
    '# Benchmarks',
    '',
    'Latest results of `npm run bench` (rewritten by each full run). Figures move from run to run on shared',
    'machines; comparisons with Kamailio are made in the same run.',
    '',
    '```',
    machine,
    '```',
  ];
  for (const load of SECTIONS) {
    const section = await load();
    if (only.length > 0 && !only.includes(section.name)) continue;
    console.log(`== ${section.name}`);
    const body = await section.run();
    console.log(body + '\n');
    parts.push('', `## ${section.name}`, '', section.about, '', body);
  }
  if (only.length === 0) {
    writeFileSync(new URL('../docs/benchmarks.md', import.meta.url), parts.join('\n') + '\n');
    console.log('wrote docs/benchmarks.md');
  }
}

await main();
