/**
 * The package's one public entry, as a user of geored would meet it: `npm run build` compiles it, plain
 * Node.js (no TypeScript loader) imports it by the package's name and runs the guide's first example, and a
 * TypeScript project that depends on geored type-checks against its declarations through package.json
 * `exports`.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('../..', import.meta.url));

describe("the package's public entry", () => {
  let dir: string;

  beforeAll(async () => {
    await run(process.execPath, [join(REPO, 'scripts/build.mjs')], { cwd: REPO });
    dir = await mkdtemp(join(tmpdir(), 'geored-consumer-'));
  }, 120_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("runs the guide's first example in plain Node.js, imported by the package's name", async () => {
    const script = `
      import { getGeographicRedundancy, resetGeographicRedundancy, HealthState } from 'geored';
      const geo = await getGeographicRedundancy(undefined, { memoryStore: true });
      await geo.registerRegion({
        name: 'us-east-1', trunk_id: 'trunk-us-east', sip_server: '127.0.0.1:9', priority: 1,
        location: 'Virginia, USA', capabilities: ['voice', 'sms', 'fax'],
      });
      const active = await geo.getActiveRegion();
      console.log('RESULT ' + JSON.stringify({ active: active.name, healthy: HealthState.HEALTHY, down: HealthState.DOWN }));
      await resetGeographicRedundancy();
    `;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: REPO });
    const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
    expect(JSON.parse(line!.slice('RESULT '.length))).toEqual({
      active: 'us-east-1',
      healthy: 'healthy',
      down: 'down',
    });
  });

  it('type-checks a TypeScript project that depends on geored, and refuses a wrong use', async () => {
    await mkdir(join(dir, 'node_modules'), { recursive: true });
    await symlink(REPO, join(dir, 'node_modules', 'geored'));
    await writeFile(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          module: 'ESNext',
          moduleResolution: 'Bundler',
          target: 'ES2022',
          skipLibCheck: true,
          types: ['node'],
          typeRoots: [join(REPO, 'node_modules/@types')],
        },
        files: ['good.ts'],
      }),
    );
    await writeFile(
      join(dir, 'good.ts'),
      [
        "import { getGeographicRedundancy, HealthState, type Region, type RegionHealth } from 'geored';",
        'const geo = await getGeographicRedundancy();',
        "const region: Region = await geo.registerRegion({ name: 'eu-west-1', trunk_id: 't', sip_server: 'sip.example.net', priority: 3 });",
        'const health: RegionHealth = await geo.getRegionHealth(region.name);',
        'const down: boolean = health.state === HealthState.DOWN;',
        'export { down };',
        '',
      ].join('\n'),
    );
    const tsc = join(REPO, 'node_modules/typescript/bin/tsc');
    await run(process.execPath, [tsc, '-p', dir]);

    await writeFile(
      join(dir, 'good.ts'),
      "import { getGeographicRedundancy } from 'geored';\nawait getGeographicRedundancy(42);\n",
    );
    const wrong = await run(process.execPath, [tsc, '-p', dir]).then(
      () => '',
      (err: { stdout: string }) => err.stdout,
    );
    expect(wrong).toMatch(/good\.ts\(2,\d+\): error TS2345/);
  }, 60_000);
});
