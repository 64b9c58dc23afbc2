import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runGeored, startGeoredProcess, stopAllGeored } from '../helpers/geored-process';
import { stopAllSipp } from '../helpers/sipp';
import { twoSippRegions } from '../helpers/sipp-regions';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';

afterAll(async () => {
  await stopAllGeored();
  await stopAllSipp();
});

const GEO = '/api/framework/geographic-redundancy';

describe('geored serve', () => {
  it('starts on the embedded defaults, answers the API, and exits 0 on SIGTERM after flushing', async () => {
    const geored = await startGeoredProcess();
    const res = await fetch(`${geored.apiUrl}/readyz`);
    expect(res.status).toBe(200);
    const code = await geored.stop('SIGTERM');
    expect(code).toBe(0);
    const messages = geored.logs().map((l) => l['msg']);
    expect(messages).toContain('geored is up');
    expect(messages).toContain('SIGTERM received: stopping');
    expect(messages).toContain('geored stopped');
  }, 60_000);

  it('SIGINT stops it cleanly too', async () => {
    const geored = await startGeoredProcess();
    expect(await geored.stop('SIGINT')).toBe(0);
    expect(geored.logs().map((l) => l['msg'])).toContain('geored stopped');
  }, 60_000);

  it('a bad config prints every problem and exits 1 before touching anything', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'geored-badcfg-'));
    const file = join(dir, 'config.yml');
    const storePath = join(dir, 'never-created.db');
    writeFileSync(
      file,
      [
        'features:',
        '  geographic_redundancy:',
        '    health_check:',
        '      intervall: 30',
        '    regions:',
        '      - name: us-east-1',
        '        priority: first',
        '        trunk_id: trunk-us-east',
        '        sip_server: sip.us-east.provider.com',
        'server:',
        `  store: "sqlite:${storePath}"`,
        '',
      ].join('\n'),
    );
    const { code, stderr } = await runGeored(['serve', '--config', file]);
    expect(code).toBe(1);
    expect(stderr).toContain('intervall');
    expect(stderr).toContain('features.geographic_redundancy.regions[0].priority');
    const { existsSync } = await import('node:fs');
    expect(existsSync(storePath)).toBe(false);
  }, 60_000);

  it('a malformed GEORED_SIP_LISTEN is refused with exit 1', async () => {
    const { code, stderr } = await runGeored(['serve'], { GEORED_SIP_LISTEN: 'carrier-pigeon:here' });
    expect(code).toBe(1);
    expect(stderr).toContain('GEORED_SIP_LISTEN');
  }, 60_000);

  it('fails over between sipp regions through the real process and its REST API, and keeps the record', async () => {
    const { east, lines } = await twoSippRegions();
    const dir = mkdtempSync(join(tmpdir(), 'geored-serve-cfg-'));
    const file = join(dir, 'config.yml');
    writeFileSync(
      file,
      [
        'features:',
        '  geographic_redundancy:',
        '    health_check: { interval: 0.1, timeout: 0.25, retry_count: 2, jitter: 0 }',
        ...lines,
        '',
      ].join('\n'),
    );
    const token = 'serve-test-token';
    const geored = await startGeoredProcess({ configFile: file, env: { GEORED_API_TOKEN: token } });
    const get = async (path: string) => {
      const res = await fetch(`${geored.apiUrl}${GEO}${path}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.status).toBe(200);
      return (await res.json()) as Record<string, unknown>;
    };
    const activeName = async () => (await get('/active-region'))['name'];
    const waitActive = async (name: string) => {
      const deadline = performance.now() + 20_000;
      while ((await activeName()) !== name) {
        if (performance.now() > deadline) throw new Error(`${name} never became active:\n${geored.output()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await waitActive('us-east-1');
    east.pause();
    await waitActive('us-west-1');
    const history = (await get('/failover-history?limit=10'))['failovers'] as Array<Record<string, unknown>>;
    expect(history[0]).toMatchObject({ from_region: 'us-east-1', to_region: 'us-west-1', automatic: true });
    expect(await geored.stop('SIGTERM')).toBe(0);
    const logs = geored.logs();
    // One log line for the failover, carrying the decision's reason.
    expect(logs.filter((l) => String(l['msg']).includes('so failing over to us-west-1'))).toHaveLength(1);
    east.resume();

    // Restarted on the same store, the history is still there.
    const again = await startGeoredProcess({
      configFile: file,
      env: { GEORED_API_TOKEN: token, GEORED_STORE: `sqlite:${join(geored.dir, 'geored.db')}` },
    });
    const res = await fetch(`${again.apiUrl}${GEO}/failover-history`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const body = (await res.json()) as { failovers: Array<Record<string, unknown>> };
    expect(
      body.failovers.some((f) => f['from_region'] === 'us-east-1' && f['to_region'] === 'us-west-1'),
    ).toBe(true);
    expect(await again.stop()).toBe(0);
  }, 90_000);
});
