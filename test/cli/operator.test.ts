/**
 * The operator CLI (status, failover, history, calls, drill) against a real `geored serve` between two sipp
 * regions: text and --json output (parsed), right and wrong arguments, and the one-line errors for a
 * refused connection, a missing or wrong token, a read-only token and an unknown region. Most runs go
 * through `main()` in-process (fast); the ones about the binary itself (exit codes, --help, --version,
 * stdout vs stderr) spawn `node bin/geored.js`.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main';
import { closedTcpPort } from '../helpers/ports';
import { execFile } from 'node:child_process';
import {
  GEORED_BIN,
  runGeored,
  startGeoredProcess,
  stopAllGeored,
  type GeoredProcess,
} from '../helpers/geored-process';
import { startSipp, stopAllSipp } from '../helpers/sipp';
import { runUac, until } from '../app/harness';

const TOKEN = 'cli-admin-token';
const READ_TOKEN = 'cli-read-token';
const GEO = '/api/framework/geographic-redundancy';

let geored: GeoredProcess;

interface Run {
  code: number;
  out: string;
  err: string;
}

/** `geored ARGS` in-process, with the admin token unless `env` says otherwise. */
async function cli(args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const fullEnv = { GEORED_URL: geored.apiUrl, GEORED_API_TOKEN: TOKEN, ...env };
  const saved = { ...process.env };
  for (const [k, v] of Object.entries(fullEnv)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  try {
    const code = await main(args, { out: (l) => out.push(l), err: (l) => err.push(l), isTTY: false });
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    process.env = saved;
  }
}

async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(`${geored.apiUrl}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

const active = async () => (await api<{ name: string }>(`${GEO}/active-region`)).name;
const healthy = async (region: string) =>
  (await api<{ state: string }>(`${GEO}/regions/${region}/health`)).state === 'healthy';

beforeAll(async () => {
  const east = await startSipp({ scenario: 'region-uas.xml' });
  const west = await startSipp({ scenario: 'region-uas.xml' });
  const dir = mkdtempSync(join(tmpdir(), 'geored-cli-'));
  const file = join(dir, 'config.yml');
  writeFileSync(
    file,
    [
      'features:',
      '  geographic_redundancy:',
      '    health_check: { interval: 0.5, timeout: 2, retry_count: 2, success_threshold: 1, jitter: 0 }',
      '    failover: { automatic: true, failback: false }',
      '    regions:',
      '      - { name: us-east-1, priority: 1, trunk_id: trunk-us-east, sip_server: "127.0.0.1:' +
        east.port +
        '" }',
      '      - { name: us-west-1, priority: 2, trunk_id: trunk-us-west, sip_server: "127.0.0.1:' +
        west.port +
        '" }',
      'server:',
      '  tokens: [{ name: grafana, token: env:CLI_READ_TOKEN, role: read }]',
      'proxy: { provisional_timeout_ms: 5000 }',
      '',
    ].join('\n'),
  );
  geored = await startGeoredProcess({
    configFile: file,
    env: { GEORED_API_TOKEN: TOKEN, CLI_READ_TOKEN: READ_TOKEN },
  });
  await until(
    async () => (await healthy('us-east-1')) && (await healthy('us-west-1')),
    'both regions healthy',
  );
  await until(async () => (await active()) === 'us-east-1', 'us-east-1 active');
}, 90_000);

afterAll(async () => {
  await stopAllGeored();
  await stopAllSipp();
});

describe('geored status', () => {
  it('prints the active region and a table of every region', async () => {
    const r = await cli(['status']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    expect(lines[0]).toMatch(/^active region: us-east-1 \(healthy, since \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ\)$/);
    expect(lines[2]).toMatch(
      /^\s+REGION\s+PRIORITY\s+STATE\s+SCORE\s+LATENCY\s+REGISTRATION\s+LAST CHECK\s+REASON$/,
    );
    expect(lines[3]).toMatch(/^\*  us-east-1\s+1\s+healthy\s+\d\.\d\d\s+[\d.]+ ms\s+none\s+\d+s ago\s+\S/);
    expect(lines[4]).toMatch(/^   us-west-1\s+2\s+healthy\s+\d\.\d\d\s+[\d.]+ ms\s+none\s+\d+s ago\s+\S/);
    expect(lines).toHaveLength(5);
    // No colour when stdout is not a terminal.
    expect(r.out).not.toContain('\u001b[');
  });

  it('colours the states on a terminal, and not with NO_COLOR set', async () => {
    const out: string[] = [];
    const io = { out: (l: string) => out.push(l), err: (l: string) => out.push(l), isTTY: true };
    const { run } = await import('../../src/cli/status');
    const env = { GEORED_URL: geored.apiUrl, GEORED_API_TOKEN: TOKEN };
    expect(await run([], io, env)).toBe(0);
    expect(out.join('\n')).toContain('\u001b[32mhealthy');
    out.length = 0;
    expect(await run([], io, { ...env, NO_COLOR: '1' })).toBe(0);
    expect(out.join('\n')).not.toContain('\u001b[');
  });

  it('--json gives regions with their health and metrics, and the active region', async () => {
    const r = await cli(['status', '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out) as {
      active_region: { name: string; health_state: string };
      regions: Array<{
        name: string;
        is_active: boolean;
        health: { state: string; score: number; registration: string };
        metrics: { uptime_percentage: number };
      }>;
    };
    expect(doc.active_region).toMatchObject({ name: 'us-east-1', health_state: 'healthy' });
    expect(doc.regions.map((x) => [x.name, x.is_active, x.health.state, x.health.registration])).toEqual([
      ['us-east-1', true, 'healthy', 'none'],
      ['us-west-1', false, 'healthy', 'none'],
    ]);
    for (const x of doc.regions) {
      expect(x.health.score).toBeGreaterThan(0);
      expect(x.metrics.uptime_percentage).toBeGreaterThan(0);
    }
  });

  it('says what failed and why, in one line, exit 1', async () => {
    const closed = await closedTcpPort();
    const refused = await cli(['status', '--url', `http://127.0.0.1:${closed}`]);
    expect(refused).toEqual({
      code: 1,
      out: '',
      err:
        `geored status: GET ${GEO}/regions: cannot reach geored at http://127.0.0.1:${closed}: ` +
        'connection refused (is `geored serve` running there?)',
    });
    const noToken = await cli(['status'], { GEORED_API_TOKEN: undefined });
    expect(noToken.code).toBe(1);
    expect(noToken.err).toBe(
      `geored status: GET ${GEO}/regions: geored at ${geored.apiUrl} needs a token: set GEORED_API_TOKEN (401 API_UNAUTHORIZED)`,
    );
    const wrong = await cli(['status'], { GEORED_API_TOKEN: 'not-the-token' });
    expect(wrong.err).toBe(
      `geored status: GET ${GEO}/regions: geored at ${geored.apiUrl} refused the token in GEORED_API_TOKEN (401 API_UNAUTHORIZED)`,
    );
    expect(wrong.err).not.toContain('not-the-token');
    const badUrl = await cli(['status', '--url', 'ftp://127.0.0.1:1']);
    expect(badUrl).toMatchObject({
      code: 1,
      err: 'geored status: --url "ftp://127.0.0.1:1" must be an http:// or https:// URL',
    });
  });
});

describe('geored failover and history', () => {
  it('refuses an unknown region, naming it, and changes nothing', async () => {
    const r = await cli(['failover', '--to', 'mars-1', '--reason', 'typo']);
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      'geored failover: failover to mars-1: 404 FAILOVER_UNKNOWN_REGION: no region named mars-1',
    );
    expect(await active()).toBe('us-east-1');
  });

  it('a read-only token may look but not fail over', async () => {
    expect((await cli(['status'], { GEORED_API_TOKEN: READ_TOKEN })).code).toBe(0);
    const r = await cli(['failover', '--to', 'us-west-1', '--reason', 'x'], { GEORED_API_TOKEN: READ_TOKEN });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /^geored failover: failover to us-west-1: 403 API_FORBIDDEN: token grafana is read-only; POST .* needs an admin token$/,
    );
    expect(await active()).toBe('us-east-1');
  });

  it('fails over with the reason, and history lists it with who and why', async () => {
    const r = await cli(['failover', '--to', 'us-west-1', '--reason', 'cli maintenance test']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toBe(
      'failed over us-east-1 → us-west-1 (manual failover from us-east-1 to us-west-1 by GEORED_API_TOKEN: cli maintenance test)',
    );
    expect(await active()).toBe('us-west-1');

    const h = await cli(['history', '--limit', '1']);
    expect(h.code).toBe(0);
    const lines = h.out.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^TIME\s+FROM\s+TO\s+HOW\s+BY\s+REASON$/);
    expect(lines[1]).toMatch(
      /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ\s+us-east-1\s+us-west-1\s+manual\s+GEORED_API_TOKEN\s+manual failover from us-east-1 to us-west-1 by GEORED_API_TOKEN: cli maintenance test$/,
    );

    const back = await cli(['failover', '--to', 'us-east-1', '--reason', 'back', '--json']);
    expect(back.code).toBe(0);
    expect(JSON.parse(back.out)).toMatchObject({
      success: true,
      from_region: 'us-west-1',
      to_region: 'us-east-1',
      reason: 'manual failover from us-west-1 to us-east-1 by GEORED_API_TOKEN: back',
    });
    const hj = await cli(['history', '--json', '--limit', '2']);
    const doc = JSON.parse(hj.out) as { failovers: Array<Record<string, unknown>> };
    expect(doc.failovers.map((f) => [f['from_region'], f['to_region'], f['reason'], f['automatic']])).toEqual(
      [
        [
          'us-west-1',
          'us-east-1',
          'manual failover from us-west-1 to us-east-1 by GEORED_API_TOKEN: back',
          false,
        ],
        [
          'us-east-1',
          'us-west-1',
          'manual failover from us-east-1 to us-west-1 by GEORED_API_TOKEN: cli maintenance test',
          false,
        ],
      ],
    );
  });

  it('usage errors exit 2 and name the option', async () => {
    expect(await cli(['failover', '--to', 'us-west-1'])).toMatchObject({
      code: 2,
      err: "geored failover: required option '--reason <text>' not specified\n(add --help for usage)",
    });
    expect(await cli(['history', '--limit', 'ten'])).toMatchObject({
      code: 2,
      err: "geored history: option '--limit <n>' argument 'ten' is invalid. expected a whole number from 1 to 1000, not 'ten'\n(add --help for usage)",
    });
    expect((await cli(['calls', 'extra'])).code).toBe(2);
    expect((await cli(['status', '--nope'])).err).toContain("geored status: unknown option '--nope'");
  });
});

describe('geored calls', () => {
  it('lists calls with the region that carried them; --json parses', async () => {
    const run = await runUac('pbx-uac.xml', geored.sipPort, 2, 10);
    expect(run.code, run.output).toBe(0);
    await until(
      async () =>
        (await api<{ calls: Array<{ ended_at: string | null }> }>('/api/calls')).calls.filter(
          (c) => c.ended_at,
        ).length === 2,
      'two ended calls',
    );
    const r = await cli(['calls', '--limit', '5']);
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    expect(lines[0]).toMatch(/^STARTED\s+DIRECTION\s+FROM\s+TO\s+REGION\s+STATUS\s+ATTEMPTS\s+CALL-ID$/);
    expect(lines).toHaveLength(3);
    for (const line of lines.slice(1))
      expect(line).toMatch(/\soutbound\s+sip:\S+\s+sip:\S+\s+us-east-1\s+200\s+us-east-1 200\s+\S+$/);
    const j = JSON.parse((await cli(['calls', '--json', '--region', 'us-east-1'])).out) as {
      calls: Array<{ region: string }>;
    };
    expect(j.calls.map((c) => c.region)).toEqual(['us-east-1', 'us-east-1']);
    expect((await cli(['calls', '--region', 'us-west-1'])).out).toBe('no calls recorded');
  }, 60_000);
});

describe('geored drill', () => {
  it('runs the guide DR drill on the active region: every step ok, a timed report, the simulation ended', async () => {
    const r = await cli([
      'drill',
      '--region',
      'us-east-1',
      '--duration',
      '60',
      '--timeout',
      '30',
      '--sip',
      `sip:127.0.0.1:${geored.sipPort}`,
    ]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    expect(lines[0]).toBe('DR drill: us-east-1, simulated failure for 60 s');
    const steps = lines
      .slice(1, -1)
      .map((l) => /^ {2}(\S+)\s+(\d+\.\d) s {2}(\S+)\s+(.*)$/.exec(l)?.slice(1));
    expect(steps.map((s) => [s?.[0], s?.[2]])).toEqual([
      ['ok', 'check'],
      ['ok', 'simulate'],
      ['ok', 'down'],
      ['ok', 'failover'],
      ['ok', 'options'],
      ['ok', 'calls'],
      ['ok', 'end'],
    ]);
    const detail = Object.fromEntries(steps.map((s) => [s?.[2], s?.[3]]));
    expect(detail['check']).toBe('us-east-1 is the active region; possible backups: us-west-1');
    expect(detail['failover']).toMatch(/^active region us-east-1 → us-west-1: \S/);
    expect(detail['options']).toMatch(
      /^OPTIONS via sip:127\.0\.0\.1:\d+: 200 OK in [\d.]+ ms, routed by geored to us-west-1$/,
    );
    expect(detail['end']).toBe('simulation of us-east-1 ended');
    // Times rise step by step.
    const times = steps.map((s) => Number(s?.[1]));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(lines.at(-1)).toMatch(/^drill passed in \d+\.\d s$/);
    const health = await api<{ simulated_until: string | null }>(`${GEO}/regions/us-east-1/health`);
    expect(health.simulated_until).toBeNull();
    await until(async () => await healthy('us-east-1'), 'us-east-1 healthy again');
    await cli(['failover', '--to', 'us-east-1', '--reason', 'after drill']);
  }, 90_000);

  it('--json: a standby region drill skips the failover, and the report parses', async () => {
    expect(await active()).toBe('us-east-1');
    const r = await cli(['drill', '--region', 'us-west-1', '--duration', '30', '--no-sip', '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out) as {
      passed: boolean;
      active_before: string;
      active_after: string;
      steps: Array<{ name: string; status: string; at_ms: number }>;
    };
    expect(doc).toMatchObject({ passed: true, active_before: 'us-east-1', active_after: 'us-east-1' });
    expect(doc.steps.map((s) => [s.name, s.status])).toEqual([
      ['check', 'ok'],
      ['simulate', 'ok'],
      ['down', 'ok'],
      ['failover', 'skipped'],
      ['options', 'skipped'],
      ['calls', 'ok'],
      ['end', 'ok'],
    ]);
  }, 60_000);

  it('a failed step fails the drill (exit 1), and the simulation is still ended', async () => {
    expect(await active()).toBe('us-east-1');
    const closed = await closedTcpPort();
    const sip = `sip:127.0.0.1:${closed};transport=tcp`;
    const r = await cli([
      'drill',
      '--region',
      'us-east-1',
      '--duration',
      '60',
      '--timeout',
      '30',
      '--sip',
      sip,
      '--json',
    ]);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.out) as {
      passed: boolean;
      steps: Array<{ name: string; status: string; detail: string }>;
    };
    expect(doc.passed).toBe(false);
    expect(doc.steps.map((s) => [s.name, s.status])).toEqual([
      ['check', 'ok'],
      ['simulate', 'ok'],
      ['down', 'ok'],
      ['failover', 'ok'],
      ['options', 'failed'],
      ['calls', 'ok'],
      ['end', 'ok'],
    ]);
    expect(doc.steps[4]!.detail).toMatch(new RegExp(`^OPTIONS via ${sip.replace(/[.;]/g, '\\$&')}: \\S`));
    expect(
      (await api<{ simulated_until: string | null }>(`${GEO}/regions/us-east-1/health`)).simulated_until,
    ).toBeNull();
    await until(async () => await healthy('us-east-1'), 'us-east-1 healthy again');
    expect((await cli(['failover', '--to', 'us-east-1', '--reason', 'after failed drill'])).code).toBe(0);
  }, 90_000);

  it('an unknown region ends the drill before it simulates anything; exit 1', async () => {
    const r = await cli(['drill', '--region', 'mars-1', '--duration', '5']);
    expect(r.code).toBe(1);
    expect(r.err).toBe('geored drill: region mars-1: 404 GEO_UNKNOWN_REGION: no region named mars-1');
    expect((await cli(['drill', '--region', 'us-east-1', '--duration', '0'])).code).toBe(2);
  });
});

describe('the geored binary', () => {
  it('--version, --help and <command> --help exit 0 on stdout; errors exit non-zero on stderr', async () => {
    const version = await runGeored(['--version']);
    expect(version).toMatchObject({ code: 0, stdout: 'geored 0.1.0\n', stderr: '' });
    const help = await runGeored(['--help']);
    expect(help.code).toBe(0);
    for (const cmd of [
      'serve',
      'check-config',
      'sip-check',
      'ping',
      'status',
      'failover',
      'history',
      'calls',
      'watch',
      'drill',
      'alerts',
    ])
      expect(help.stdout).toMatch(new RegExp(`^  ${cmd} `, 'm'));
    const drillHelp = await runGeored(['drill', '--help']);
    expect(drillHelp.code).toBe(0);
    expect(drillHelp.stdout).toContain('Usage: geored drill [options]');
    expect(drillHelp.stdout).toContain('--duration <seconds>');
    const status = await runGeored(['status', '--json'], {
      GEORED_URL: geored.apiUrl,
      GEORED_API_TOKEN: TOKEN,
    });
    expect(status.code).toBe(0);
    expect((JSON.parse(status.stdout) as { active_region: { name: string } }).active_region.name).toBe(
      'us-east-1',
    );
    const refused = await runGeored(['history'], { GEORED_URL: `http://127.0.0.1:${await closedTcpPort()}` });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toContain('connection refused');
    expect((await runGeored(['history', '--limit', '-1'])).code).toBe(2);
  }, 60_000);

  it('colours the table when stdout is a terminal (a pty from script(1)), not with NO_COLOR', async () => {
    // The runner's own NO_COLOR must not decide the first case.
    const withoutNoColor = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NO_COLOR'));
    const inPty = (env: Record<string, string>) =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(GEORED_BIN)} status`;
        execFile(
          'script',
          ['-qec', command, '/dev/null'],
          { env: { ...withoutNoColor, GEORED_URL: geored.apiUrl, GEORED_API_TOKEN: TOKEN, ...env } },
          (err, stdout) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout }),
        );
      });
    const coloured = await inPty({});
    expect(coloured.code).toBe(0);
    expect(coloured.out).toContain('\u001b[32mhealthy');
    const plain = await inPty({ NO_COLOR: '1' });
    expect(plain.code).toBe(0);
    expect(plain.out).toContain('healthy');
    expect(plain.out).not.toContain('\u001b[');
  }, 60_000);
});

describe('geored watch against the real event stream', () => {
  it('prints a change made through the API as it happens, with its sequence number and type', async () => {
    const before = await api<{ interval: number }>(`${GEO}/health-check`);
    const watching = cli(['watch', '--count', '1', '--json']);
    let settled = false;
    void watching.then(() => (settled = true));
    try {
      // Changes until the watcher (connecting meanwhile) has printed one: bounded in count.
      for (let i = 1; i <= 50 && !settled; i++) {
        await api(`${GEO}/health-check`, {
          method: 'PUT',
          body: JSON.stringify({ interval: before.interval + (i % 2) }),
        });
        await new Promise((r) => setTimeout(r, 200));
      }
      const r = await watching;
      expect(r.code, r.err).toBe(0);
      const event = JSON.parse(r.out) as { id: string; event: string; data: Record<string, unknown> };
      expect(Number(event.id)).toBeGreaterThan(0);
      expect(event.event).toBe('settings');
      expect(event.data).toMatchObject({ type: 'settings', time: expect.any(String) });
    } finally {
      await api(`${GEO}/health-check`, {
        method: 'PUT',
        body: JSON.stringify({ interval: before.interval }),
      });
    }
  }, 60_000);
});
