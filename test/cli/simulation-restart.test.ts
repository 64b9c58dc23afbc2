/**
 * A simulated failure survives kill -9 of a single geored (live state in memory): it is kept in the store
 * (geo_simulations) and restored at start until its end time; one that ended while geored was down is
 * dropped, with a log line.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startGeoredProcess, stopAllGeored, type GeoredProcess } from '../helpers/geored-process';

afterAll(async () => {
  await stopAllGeored();
});

const GEO = '/api/framework/geographic-redundancy';
const TOKEN = 'simulation-restart-token';

function configFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'geored-sim-restart-'));
  const file = join(dir, 'config.yml');
  // A TTL check with a long TTL and interval: the regions stay HEALTHY and no probe leaves the machine.
  writeFileSync(
    file,
    [
      'features:',
      '  geographic_redundancy:',
      '    health_check:',
      '      interval: 3600',
      '      check_methods: [pushed]',
      '      custom_checks:',
      '        - { name: pushed, type: ttl, ttl: 3600 }',
      '    regions:',
      '      - { name: us-east-1, priority: 1, trunk_id: trunk-east, sip_server: "127.0.0.1:15071" }',
      '      - { name: us-west-1, priority: 2, trunk_id: trunk-west, sip_server: "127.0.0.1:15072" }',
      '',
    ].join('\n'),
  );
  return file;
}

async function api(g: GeoredProcess, method: string, path: string, body?: unknown) {
  const res = await fetch(`${g.apiUrl}${GEO}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${TOKEN}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('a simulated failure across kill -9 and restart', () => {
  it('is still in force after SIGKILL and restart until its end time; one that ended meanwhile is dropped', async () => {
    const file = configFile();
    const first = await startGeoredProcess({ configFile: file, env: { GEORED_API_TOKEN: TOKEN } });
    const long = await api(first, 'POST', '/simulate-failure', { region: 'us-east-1', duration: 600 });
    expect(long.status).toBe(200);
    const until = long.json['until'] as string;
    const short = await api(first, 'POST', '/simulate-failure', { region: 'us-west-1', duration: 0.5 });
    expect(short.status).toBe(200);
    const shortUntil = Date.parse(short.json['until'] as string);
    expect((await api(first, 'GET', '/regions/us-east-1/health')).json['simulated_until']).toBe(until);

    first.process.kill('SIGKILL');
    expect(await first.exited).toBe(null);
    // The short simulation's end passes while geored is down (bounded: it ends 0.5 s after it started).
    while (Date.now() <= shortUntil) await new Promise((r) => setTimeout(r, 50));

    const again = await startGeoredProcess({
      configFile: file,
      env: { GEORED_API_TOKEN: TOKEN, GEORED_STORE: `sqlite:${join(first.dir, 'geored.db')}` },
    });
    const east = (await api(again, 'GET', '/regions/us-east-1/health')).json;
    expect(east['simulated_until']).toBe(until);
    expect((await api(again, 'GET', '/regions/us-west-1/health')).json['simulated_until']).toBe(null);
    const messages = again.logs().map((l) => String(l['msg']));
    expect(messages).toContain(
      `simulated failure of us-east-1 restored after a restart: in force until ${until}`,
    );
    expect(messages).toContain(
      `simulated failure of us-west-1 ended at ${new Date(shortUntil).toISOString()}, while geored was down: dropped`,
    );

    // Ending it is remembered too: a second restart finds nothing to restore.
    expect((await api(again, 'POST', '/end-simulation', { region: 'us-east-1' })).status).toBe(200);
    again.process.kill('SIGKILL');
    await again.exited;
    const third = await startGeoredProcess({
      configFile: file,
      env: { GEORED_API_TOKEN: TOKEN, GEORED_STORE: `sqlite:${join(first.dir, 'geored.db')}` },
    });
    expect((await api(third, 'GET', '/regions/us-east-1/health')).json['simulated_until']).toBe(null);
    expect(
      third
        .logs()
        .map((l) => String(l['msg']))
        .filter((m) => m.includes('simulated failure')),
    ).toEqual([]);
    expect(await third.stop('SIGTERM')).toBe(0);
  }, 120_000);
});
