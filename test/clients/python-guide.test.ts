/**
 * Every ```python block of the Geographic Redundancy Guide, run as written by python3 with clients/python
 * on the path, against a real `geored serve`. Blocks after the first use the guide's `geo` without
 * defining it; each runs as its own program, so those get the guide's own two opening lines first
 * (`from pbx.features.geographic_redundancy import ...; geo = get_geographic_redundancy()`).
 *
 * Nothing leaves the machine: geored resolves the guide's sip_server names (sip.us-east.provider.com, ...)
 * through a DNS server on loopback (server.dns.servers) whose SRV records point at sipp regions on
 * loopback; every python3 loads test/clients/loopback_only/sitecustomize.py, which refuses to resolve or
 * reach anything but loopback; alerts run with dry_run (when this build knows the alerts config at all).
 *
 * Blocks geored refuses as written are listed in REFUSED with the reason and the error each must give; every
 * other block must run cleanly and pass its check.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config';
import { startDnsServer, type TestDnsServer, type ZoneRecord } from '../helpers/dns-server';
import { startGeoredProcess, stopAllGeored, type GeoredProcess } from '../helpers/geored-process';
import { SHARED_DIR } from '../helpers/shared-dir';
import { startSipp, stopAllSipp, type SippPeer } from '../helpers/sipp';

const GEO = '/api/framework/geographic-redundancy';
const TOKEN = 'python-guide-token';
const CLIENT_DIR = fileURLToPath(new URL('../../clients/python', import.meta.url));
const GUARD_DIR = fileURLToPath(new URL('./loopback_only', import.meta.url));
const GUIDE = join(SHARED_DIR, 'docs/geographic-redundancy-guide.md');

/**
 * Guide blocks geored refuses as written, each with why and the error it must give (the client's exception,
 * naming the field): anything else from them fails the test.
 */
const REFUSED: Record<string, { why: string; error: RegExp }> = {
  'geo.schedule_failover(': {
    why: "the guide's window (2025-01-20, one hour) is in the past, and a window that has ended is refused",
    error:
      /ValidationError: POST \S+\/scheduled-failovers: 400 GEO_SCHEDULED_FAILOVER_IN_PAST \(field start_time\)/,
  },
  'geo.replicate_cdr(': {
    why: 'CDR replication needs region databases; this geored has none (test/replication runs it on real ones)',
    error:
      /ValidationError: PUT \S+\/cdr-replication: 400 REPLICATION_BAD_SETTING \(field cdr\.target_regions\[0\]\).*expected a region with a database/,
  },
  'geo.configure_data_residency(': {
    why: 'data residency needs region databases; this geored has none (test/replication runs it on real ones)',
    error: /Error: PUT \S+\/data-residency: 4\d\d REPLICATION_/,
  },
  'geo.enable_gdpr_compliance(': {
    why: 'GDPR mode needs region databases; this geored has none (test/replication runs it on real ones)',
    error: /Error: PUT \S+\/gdpr: 4\d\d REPLICATION_/,
  },
};

const PREAMBLE =
  'from pbx.features.geographic_redundancy import get_geographic_redundancy, HealthState\n' +
  'geo = get_geographic_redundancy()\n';

const blocks = [...readFileSync(GUIDE, 'utf8').matchAll(/^```python\n([\s\S]*?)^```/gm)].map((m) => m[1]!);

const refusalOf = (code: string): { why: string; error: RegExp } | undefined =>
  Object.entries(REFUSED).find(([call]) => code.includes(call))?.[1];

/** `alerts: { dry_run: true }` when this build knows the alerts block (so no alert is ever really sent). */
function alertsDryRunLines(): string[] {
  const doc = 'features:\n  geographic_redundancy:\n    alerts: { dry_run: true }\n';
  try {
    parseConfig(doc, 'probe.yml', {});
    return ['    alerts: { dry_run: true }'];
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return [];
  }
}

const HOSTS = {
  'us-east-1': 'sip.us-east.provider.com',
  'us-west-1': 'sip.us-west.provider.com',
  'eu-west-1': 'sip.eu-west.provider.com',
};

let geored: GeoredProcess;
let dns: TestDnsServer;
let dir: string;
const outcomes = new Map<number, { code: number | null; stdout: string; stderr: string }>();

function python(code: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const file = join(dir, `block-${Math.random().toString(36).slice(2)}.py`);
  writeFileSync(file, code);
  return new Promise((resolve, reject) => {
    const child = spawn('python3', [file], {
      env: {
        PATH: process.env['PATH'] ?? '/usr/bin:/bin',
        PYTHONPATH: `${CLIENT_DIR}:${GUARD_DIR}`,
        PYTHONDONTWRITEBYTECODE: '1',
        GEORED_URL: geored.apiUrl,
        GEORED_API_TOKEN: TOKEN,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', (err) =>
      reject(new Error(`python3 could not be run (install the Debian package python3): ${err.message}`)),
    );
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('exit', (exitCode) => {
      clearTimeout(timer);
      resolve({ code: exitCode, stdout, stderr });
    });
  });
}

async function api<T = Record<string, unknown>>(path: string, method = 'GET', body?: unknown): Promise<T> {
  const res = await fetch(`${geored.apiUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${TOKEN}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

async function until(cond: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  const peers: Record<string, SippPeer> = {};
  for (const region of Object.keys(HOSTS)) peers[region] = await startSipp({ scenario: 'region-uas.xml' });
  const zone: ZoneRecord[] = Object.entries(HOSTS).flatMap(([region, host]) => [
    { type: 'A' as const, name: host, data: '127.0.0.1' },
    {
      type: 'SRV' as const,
      name: `_sip._udp.${host}`,
      data: { priority: 10, weight: 1, port: peers[region]!.port, target: host },
    },
  ]);
  dns = await startDnsServer(zone);
  dir = mkdtempSync(join(tmpdir(), 'geored-python-guide-'));
  const file = join(dir, 'config.yml');
  // The guide's config.yml, less us-east-1 (the guide's first Python block registers it), with fast probes.
  writeFileSync(
    file,
    [
      'features:',
      '  geographic_redundancy:',
      '    enabled: true',
      '    health_check:',
      '      interval: 0.5',
      '      timeout: 2',
      '      retry_count: 3',
      '      success_threshold: 1',
      '      jitter: 0',
      '      custom_checks: [{ name: custom, type: ttl, ttl: 60 }]',
      '    failover: { automatic: true, failback: false, failback_delay: 300 }',
      ...alertsDryRunLines(),
      '    regions:',
      '      - { name: us-west-1, priority: 2, trunk_id: trunk-us-west, sip_server: sip.us-west.provider.com, location: "California, USA" }',
      '      - { name: eu-west-1, priority: 3, trunk_id: trunk-eu-west, sip_server: sip.eu-west.provider.com, location: "Ireland, EU" }',
      'server:',
      `  dns: { servers: ["127.0.0.1:${dns.port}"] }`,
      '',
    ].join('\n'),
  );
  geored = await startGeoredProcess({ configFile: file, env: { GEORED_API_TOKEN: TOKEN } });
  const healthy = async (r: string) =>
    (await api<{ state: string; checks: unknown[] }>(`${GEO}/regions/${r}/health`)).checks.length > 0;
  await until(
    async () => (await healthy('us-west-1')) && (await healthy('eu-west-1')),
    'us-west-1 and eu-west-1 probed',
  );
  // The guide's first block fails over to us-west-1, so the active region must be another one first.
  await api(`${GEO}/failover`, 'POST', {
    target_region: 'eu-west-1',
    reason: 'python guide test: start on eu-west-1',
  });
}, 90_000);

afterAll(async () => {
  await stopAllGeored();
  await stopAllSipp();
  await dns?.close();
});

/** What each block must print and change, by the call that identifies it. */
const EXPECT: Array<{ call: string; check: (r: { stdout: string }) => Promise<void> | void }> = [
  {
    call: 'geo.register_region(',
    check: async (r) => {
      expect(r.stdout).toBe('Active region: eu-west-1\nRegion is healthy\n');
      const region = await api(`${GEO}/regions/us-east-1`);
      expect(region).toMatchObject({
        name: 'us-east-1',
        trunk_id: 'trunk-us-east',
        sip_server: 'sip.us-east.provider.com',
        priority: 1,
        location: 'Virginia, USA',
        capabilities: ['voice', 'sms', 'fax'],
        origin: 'api',
      });
      expect((await api<{ name: string }>(`${GEO}/active-region`)).name).toBe('us-west-1');
      const { failovers } = await api<{ failovers: Array<Record<string, unknown>> }>(
        `${GEO}/failover-history?limit=1`,
      );
      expect(failovers[0]).toMatchObject({
        from_region: 'eu-west-1',
        to_region: 'us-west-1',
        automatic: false,
      });
    },
  },
  {
    call: 'geo.configure_health_check(',
    check: async (r) => {
      expect(r.stdout).toBe('');
      expect(await api(`${GEO}/health-check`)).toMatchObject({
        interval: 30,
        timeout: 10,
        retry_count: 3,
        check_methods: ['sip_options', 'http_ping', 'icmp_ping'],
      });
    },
  },
  { call: 'geo.add_health_check_method(', check: (r) => expect(r.stdout).toBe('') },
  {
    call: 'geo.configure_failover(',
    check: async () =>
      expect(await api(`${GEO}/failover-config`)).toEqual({
        automatic: true,
        min_failure_duration: 60,
        failover_delay: 0,
        // Where each setting comes from (issue 10): the block set all three through the API.
        source: { automatic: 'api', min_failure_duration: 'api', failover_delay: 'api' },
      }),
  },
  // Refused as written (REFUSED says why); its error is the check.
  { call: 'geo.schedule_failover(', check: () => undefined },
  {
    call: 'geo.configure_failback(',
    check: async () =>
      expect(await api(`${GEO}/failback-config`)).toEqual({
        enabled: true,
        delay: 300,
        health_threshold: 0.95,
        automatic: false,
        source: { enabled: 'api', delay: 'api', health_threshold: 'api', automatic: 'api' },
      }),
  },
  { call: 'geo.enable_data_replication(', check: (r) => expect(r.stdout).toBe('') },
  { call: 'geo.replicate_cdr(', check: () => undefined }, // refused: see REFUSED
  { call: 'geo.enable_geo_load_balancing(', check: (r) => expect(r.stdout).toBe('') },
  { call: 'geo.configure_time_based_routing(', check: (r) => expect(r.stdout).toBe('') },
  {
    call: 'geo.configure_alerts(',
    check: async (r) => {
      expect(r.stdout).toBe('');
      expect(await api(`${GEO}/alerts`)).toMatchObject({
        email: ['ops@company.com'],
        sms: ['+1555123456'],
        webhook: 'https://hooks.company.com/geo-redundancy',
        on_events: ['failover', 'region_down', 'region_degraded'],
      });
    },
  },
  { call: 'geo.get_region_metrics(', check: (r) => expect(r.stdout).toBe('') },
  {
    call: 'geo.test_failover(',
    // Python's repr quotes a string with double quotes when it holds an apostrophe ("us-west-1's health
    // score is 0.89"), with single quotes otherwise: either is the reason.
    check: (r) =>
      expect(r.stdout).toMatch(
        /^Test result: \{'from_region': 'us-east-1', 'to_region': 'us-west-1', 'dry_run': True, 'ok': (True|False), 'reason': ('[^'\n]+'|"[^"\n]+"), 'steps': \[[^\n]*\], 'checks': \[[^\n]*\]\}\n$/,
      ),
  },
  { call: 'geo.configure_data_residency(', check: () => undefined }, // refused: see REFUSED
  { call: 'geo.enable_gdpr_compliance(', check: () => undefined }, // refused: see REFUSED
];

describe('the guide’s Python blocks against geored serve', () => {
  it('every python3 here runs with the loopback-only guard loaded', async () => {
    // Checked without any lookup: were the guard missing, a lookup would leave the machine.
    const r = await python(
      'import socket\nprint(socket.getaddrinfo.__module__, socket.socket.connect.__module__)',
    );
    expect(r).toEqual({ code: 0, stdout: 'sitecustomize sitecustomize\n', stderr: '' });
  });

  it('the guide has the Python blocks this test knows', () => {
    const known = EXPECT.map((e) => e.call);
    for (const [i, code] of blocks.entries()) {
      const calls = known.filter((call) => code.includes(call));
      expect(calls, `block ${i + 1} should be known exactly once:\n${code}`).toHaveLength(1);
    }
    expect(blocks).toHaveLength(known.length);
    for (const call of Object.keys(REFUSED)) expect(known).toContain(call);
  });

  for (const [i, code] of blocks.entries()) {
    const refused = refusalOf(code);
    const first =
      code
        .split('\n')
        .find((l) => l.startsWith('geo.'))
        ?.replace(/\(.*/, '') ?? `block ${i + 1}`;
    it(`block ${i + 1} (${first})${refused ? ` — refused: ${refused.why}` : ''}`, async () => {
      const program = code.includes('get_geographic_redundancy()') ? code : PREAMBLE + code;
      const r = await python(program);
      outcomes.set(i, r);
      if (refused) {
        expect(r.code, r.stderr).toBe(1);
        expect(r.stderr).toMatch(refused.error);
        return;
      }
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      await EXPECT.find((e) => code.includes(e.call))!.check(r);
    }, 40_000);
  }

  it('every block ran, and none met a missing route', () => {
    expect(outcomes.size).toBe(blocks.length);
    expect([...outcomes.values()].filter((r) => r.stderr.includes('404 API_NOT_FOUND'))).toEqual([]);
  });

  it('geored resolved the guide’s host names through the loopback DNS server only', () => {
    for (const host of Object.values(HOSTS)) expect(dns.queries).toContain(`SRV _sip._udp.${host}`);
  });
});

describe('the Python client beyond the guide', () => {
  it('API errors are exceptions naming the field or the region', async () => {
    const r = await python(
      PREAMBLE +
        [
          'import json',
          'from pbx.features.geographic_redundancy import (GeographicRedundancy, ValidationError, RegionNotFoundError,',
          '    ConflictError, AuthenticationError, GeoredUnavailableError)',
          'out = {}',
          'def attempt(name, fn):',
          '    try:',
          '        fn()',
          '        out[name] = None',
          '    except Exception as e:',
          '        out[name] = {"type": type(e).__name__, "message": str(e), "status": e.status, "code": e.code,',
          '                     "field": e.field, "region": e.region}',
          "attempt('priority', lambda: geo.register_region(name='ap-south-1', trunk_id='t', sip_server='sip.ap.example', priority=-1))",
          "attempt('unknown', lambda: geo.get_region_health('mars-1'))",
          "attempt('active', lambda: geo.manual_failover(target_region=geo.get_active_region()['name']))",
          "attempt('token', lambda: GeographicRedundancy(token='wrong').get_regions())",
          "attempt('down', lambda: GeographicRedundancy(url='http://127.0.0.1:9').get_regions())",
          'print(json.dumps(out))',
        ].join('\n'),
    );
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as Record<string, Record<string, unknown>>;
    expect(out['priority']).toMatchObject({
      type: 'ValidationError',
      status: 400,
      code: 'API_VALIDATION',
      field: 'priority',
      region: 'ap-south-1',
    });
    expect(out['priority']!['message']).toMatch(
      /^POST \/api\/framework\/geographic-redundancy\/region: 400 API_VALIDATION \(field priority\): body priority: /,
    );
    expect(out['unknown']).toMatchObject({
      type: 'RegionNotFoundError',
      status: 404,
      region: 'mars-1',
      message: `GET ${GEO}/regions/mars-1/health: 404 GEO_UNKNOWN_REGION: no region named mars-1`,
    });
    expect(out['active']).toMatchObject({
      type: 'ConflictError',
      status: 409,
      code: 'FAILOVER_ALREADY_ACTIVE',
      region: 'us-west-1',
    });
    expect(out['token']).toMatchObject({
      type: 'AuthenticationError',
      status: 401,
      message: `GET ${GEO}/regions: geored at ${geored.apiUrl} refused the token in GEORED_API_TOKEN (401 API_UNAUTHORIZED)`,
    });
    expect(out['down']).toMatchObject({
      type: 'GeoredUnavailableError',
      status: null,
      message: `GET ${GEO}/regions: cannot reach geored at http://127.0.0.1:9: connection refused (is \`geored serve\` running there?)`,
    });
    // Nothing was registered by the refused call.
    expect(
      (await api<{ regions: Array<{ name: string }> }>(`${GEO}/regions`)).regions.map((x) => x.name),
    ).not.toContain('ap-south-1');
  }, 40_000);

  it('add_health_check_method runs fn in the client and geored counts its pushes as the TTL check', async () => {
    const r = await python(
      PREAMBLE +
        [
          'import json, time',
          "geo.configure_health_check(interval=0.5, check_methods=['sip_options', 'custom'])",
          "first = geo.add_health_check_method('custom', lambda region: region['name'] != 'eu-west-1', interval=0.5)",
          'deadline = time.time() + 20',
          'while True:',
          "    checks = {n: [c for c in geo.get_region_health(n)['checks'] if c['method'] == 'custom'] for n in first}",
          '    if all(checks.values()) or time.time() > deadline:',
          '        break',
          '    time.sleep(0.2)',
          "print(json.dumps({'first': first, 'checks': checks, 'eu': geo.get_region_health('eu-west-1')['state']}))",
        ].join('\n'),
    );
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as {
      first: Record<string, boolean>;
      checks: Record<string, Array<{ success: boolean; error: string | null }>>;
    };
    expect(out.first).toEqual({ 'us-east-1': true, 'us-west-1': true, 'eu-west-1': false });
    expect(out.checks['us-east-1']![0]).toMatchObject({ success: true });
    expect(out.checks['eu-west-1']![0]).toMatchObject({ success: false, error: 'TTL push says fail' });
    await api(`${GEO}/health-check`, 'PUT', { check_methods: ['sip_options'] });
  }, 40_000);
});
