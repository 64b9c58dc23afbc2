/**
 * `npm run bench`: runs every benchmark, prints the machine and the figures, and rewrites
 * docs/benchmarks.md with the latest results. `npm run bench -- NAME...` runs only those sections and
 * replaces just them in the document, marked with the machine they ran on.
 * Benchmarks are never part of `npm test`: timings are measured here, not asserted anywhere.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpuTicks, describeMachine, stealNote } from './machine';

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
  async () => (await import('./sustained')).cpuSection,
  async () => (await import('./sustained')).capacitySection,
  async () => (await import('./sustained')).latencySection,
  async () => (await import('./sustained')).memorySection,
  async () => (await import('./startup')).section,
  async () => (await import('./admin-panel')).section,
  async () => (await import('./replication-lag')).section,
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
    const t0 = cpuTicks();
    const body = (await section.run()) + '\n' + stealNote(t0, cpuTicks());
    console.log(body + '\n');
    parts.push('', `## ${section.name}`, '', section.about, '', body);
  }
  const file = new URL('../docs/benchmarks.md', import.meta.url);
  if (only.length === 0) {
    writeFileSync(file, [...parts, ...keptSections(readFileSync(file, 'utf8'))].join('\n') + '\n');
  } else {
    // A partial run replaces only its own sections, each marked with the machine it ran on.
    writeFileSync(file, replaceSections(readFileSync(file, 'utf8'), parts, machine));
  }
  console.log('wrote docs/benchmarks.md');
}

/**
 * Sections written by hand (a profile read and summarised by a person, with its date and commit): a full
 * run carries them over as they are.
 */
const HAND_WRITTEN = ['call-path profile'];

function keptSections(doc: string): string[] {
  return doc
    .split(/\n(?=## )/)
    .slice(1)
    .filter((block) => HAND_WRITTEN.includes(block.slice(3, block.indexOf('\n'))))
    .map((block) => '\n' + block.trimEnd());
}

/** The existing document with the `## name` sections of `parts` swapped in (appended when new). */
function replaceSections(doc: string, parts: string[], machine: string): string {
  const fresh = new Map<string, string>();
  for (const block of parts
    .join('\n')
    .split(/\n(?=## )/)
    .slice(1)) {
    const name = block.slice(3, block.indexOf('\n'));
    fresh.set(
      name,
      `${block.trimEnd()}\n\nThis section was re-run alone, on:\n\n\`\`\`\n${machine}\n\`\`\`\n`,
    );
  }
  const blocks = doc.split(/\n(?=## )/);
  const out = blocks.map((block, i) => {
    if (i === 0) return block;
    const name = block.slice(3, block.indexOf('\n'));
    const replacement = fresh.get(name);
    fresh.delete(name);
    return replacement ?? block;
  });
  return [...out, ...fresh.values()].join('\n').trimEnd() + '\n';
}

await main();
