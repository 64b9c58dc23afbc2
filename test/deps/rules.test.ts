/**
 * The layering rules `npm run deps` enforces, each proven to fail: every fixture under fixtures/<rule>/ is a
 * small tree that breaks exactly the rule it is named after, and dependency-cruiser, run with the project's
 * own .dependency-cruiser.cjs, must report that rule and no other.
 */
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { cruise, type IReporterOutput } from 'dependency-cruiser';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURES = fileURLToPath(new URL('./fixtures', import.meta.url));
const config = require(`${REPO}/.dependency-cruiser.cjs`) as {
  forbidden: { name: string }[];
  options: Record<string, unknown>;
};

async function violatedRules(fixture: string): Promise<string[]> {
  const result: IReporterOutput = await cruise(['src'], {
    baseDir: `${FIXTURES}/${fixture}`,
    validate: true,
    ruleSet: { forbidden: config.forbidden } as never,
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
  });
  if (typeof result.output === 'string') throw new Error('expected a cruise result, not text');
  return [...new Set(result.output.summary.violations.map((v) => v.rule.name))].sort();
}

describe('the dependency rules', () => {
  const rules = config.forbidden.map((r) => r.name);
  const fixtures = readdirSync(FIXTURES).sort();

  it('has one violation fixture for every rule and no fixture without a rule', () => {
    expect(fixtures).toEqual([...rules].sort());
  });

  it.each(rules)('%s fails on the fixture that breaks it, and only that rule does', async (rule) => {
    expect(await violatedRules(rule)).toEqual([rule]);
  });
});
