/**
 * The deployment files, checked with the tools that read them (no Docker engine runs on these machines):
 * docker-compose validates the compose file, systemd-analyze verifies the unit, and the Dockerfile's two
 * stages are replayed on disk — the build stage's COPY lines gathered into an empty folder must be enough to
 * compile dist/, and the runtime stage's layout (dist, bin, package.json and the dependencies, no src/)
 * must run `geored serve` and answer the HEALTHCHECK's /healthz. Each check is also shown to fail on a
 * broken input, so none of them passes by not looking.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startGeoredProcess, stopAllGeored } from '../helpers/geored-process';

const exec = promisify(execFile);
const REPO = fileURLToPath(new URL('../..', import.meta.url));

/** Runs a command; resolves with its exit code and output instead of throwing. */
async function attempt(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: Record<string, string> } = {},
): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await exec(cmd, args, {
      cwd: opts.cwd ?? REPO,
      env: { ...process.env, ...opts.env },
    });
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, out: (e.stdout ?? '') + (e.stderr ?? '') };
  }
}

interface Instruction {
  readonly stage: number;
  readonly op: string;
  readonly args: string;
}

/** The Dockerfile as instructions (continuation lines joined, comments dropped), with their stage. */
function dockerfile(text: string): Instruction[] {
  const joined = text.replace(/\\\n/g, ' ');
  const out: Instruction[] = [];
  let stage = -1;
  for (const line of joined.split('\n')) {
    const t = line.trim();
    if (t === '' || t.startsWith('#')) continue;
    const [op, ...rest] = t.split(/\s+/);
    if (op!.toUpperCase() === 'FROM') stage += 1;
    out.push({ stage, op: op!.toUpperCase(), args: rest.join(' ') });
  }
  return out;
}

describe('the deployment files', () => {
  const dirs: string[] = [];
  afterEach(stopAllGeored);
  afterAll(async () => {
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });
  async function tempDir(prefix: string): Promise<string> {
    const d = await mkdtemp(join(tmpdir(), prefix));
    dirs.push(d);
    return d;
  }

  it('docker-compose.yml is valid for docker-compose and runs geored with Redis and PostgreSQL', async () => {
    const ok = await attempt('docker-compose', ['-f', 'docker-compose.yml', 'config'], {
      env: { GEORED_API_TOKEN: 'compose-check' },
    });
    expect(ok.code, ok.out).toBe(0);
    const config = parseYaml(ok.out) as {
      services: Record<string, { build?: unknown; depends_on?: Record<string, { condition: string }> }>;
    };
    expect(Object.keys(config.services).sort()).toEqual(['geored-a', 'geored-b', 'postgres', 'redis']);
    for (const name of ['geored-a', 'geored-b']) {
      expect(config.services[name]!.build).toBeDefined();
      expect(config.services[name]!.depends_on).toEqual({
        postgres: { condition: 'service_healthy' },
        redis: { condition: 'service_healthy' },
      });
    }
    // Without the token it refuses, naming the variable: the check reads the file, it does not wave it through.
    const env = { ...process.env };
    delete env.GEORED_API_TOKEN;
    const missing = await exec('docker-compose', ['-f', 'docker-compose.yml', 'config'], {
      cwd: REPO,
      env,
    }).then(
      () => '',
      (e: { stderr: string }) => e.stderr,
    );
    expect(missing).toMatch(/GEORED_API_TOKEN/);
  });

  // systemd-analyze exits 0 on a unit it had to ignore lines of: what it prints is the verdict.
  it('the systemd unit passes systemd-analyze verify silently, and a broken copy does not', async () => {
    const ok = await attempt('systemd-analyze', ['verify', join(REPO, 'deploy/geored.service')]);
    expect(ok.code, ok.out).toBe(0);
    expect(ok.out.trim()).toBe('');
    const dir = await tempDir('geored-unit-');
    const unit = await readFile(join(REPO, 'deploy/geored.service'), 'utf8');
    await writeFile(
      join(dir, 'geored.service'),
      unit
        .replace(/^ExecStart=.*$/m, 'ExecStart=node bin/geored.js serve')
        .replace(/^Type=simple$/m, 'Type=bogus'),
    );
    const broken = await attempt('systemd-analyze', ['verify', join(dir, 'geored.service')]);
    expect(broken.out).toMatch(/geored\.service:\d+: Failed to parse service type, ignoring: bogus/);
  });

  it("the Dockerfile's stages build dist/ and the panel from what they copy, and run them without src/", async () => {
    const text = await readFile(join(REPO, 'Dockerfile'), 'utf8');
    const steps = dockerfile(text);
    const stages = steps.filter((s) => s.op === 'FROM');
    expect(stages.map((s) => s.args)).toEqual(['node:20-bookworm-slim AS build', 'node:20-bookworm-slim']);
    const runtime = steps.filter((s) => s.stage === 1);
    expect(runtime.find((s) => s.op === 'USER')?.args).toBe('geored');
    expect(runtime.find((s) => s.op === 'HEALTHCHECK')?.args).toContain('/healthz');
    expect(runtime.find((s) => s.op === 'ENTRYPOINT')?.args).toBe('["node", "/opt/geored/bin/geored.js"]');

    // Build stage: gather exactly what its COPY lines name into an empty folder, then build there.
    const build = await tempDir('geored-docker-build-');
    for (const step of steps.filter((s) => s.stage === 0 && s.op === 'COPY')) {
      const parts = step.args.split(/\s+/);
      const dest = parts.pop()!;
      for (const src of parts) {
        expect(existsSync(join(REPO, src)), `COPY ${src}: not in the repository`).toBe(true);
        await cp(join(REPO, src), join(build, dest === './' ? src : dest), { recursive: true });
      }
    }
    const run = steps.find((s) => s.stage === 0 && s.op === 'RUN' && s.args.includes('npm ci'));
    expect(run?.args).toBe('npm ci && npm prune --omit=dev');
    // `npm ci` builds through the `prepare` script; the dependencies come from this checkout (no download).
    const pkg = JSON.parse(await readFile(join(build, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts.prepare).toBe('npm run build');
    await symlink(join(REPO, 'node_modules'), join(build, 'node_modules'));
    const built = await attempt('npm', ['run', 'build'], { cwd: build });
    expect(built.code, built.out).toBe(0);
    expect(existsSync(join(build, 'dist/cli.js'))).toBe(true);
    expect(existsSync(join(build, 'web/dist/index.html'))).toBe(true);

    // Runtime stage: its COPY lines, from the build folder (--from=build) or the repository, and no src/.
    const image = await tempDir('geored-docker-runtime-');
    for (const step of runtime.filter((s) => s.op === 'COPY')) {
      const parts = step.args.split(/\s+/);
      const fromBuild = parts[0] === '--from=build';
      const [src, dest] = fromBuild ? [parts[1]!, parts[2]!] : [parts[0]!, parts[1]!];
      const origin = fromBuild ? join(build, src.replace('/opt/geored/', '')) : join(REPO, src);
      if (src.endsWith('node_modules'))
        await symlink(join(REPO, 'node_modules'), join(image, 'node_modules'));
      else await cp(origin, join(image, dest === './' ? src : dest), { recursive: true });
    }
    expect(existsSync(join(image, 'src'))).toBe(false);
    const served = await startGeoredProcess({ bin: join(image, 'bin/geored.js') });
    const health = await fetch(`${served.apiUrl}/healthz`);
    expect(health.status).toBe(200);
    const panel = await fetch(`${served.apiUrl}/admin`);
    expect(panel.status).toBe(200);
    expect(await panel.text()).toContain('/admin/assets/');
    expect(await served.stop('SIGTERM')).toBe(0);
  }, 180_000);
});
