/**
 * Alert settings: config.yml round trip, the same checks for the file (path and line of each problem) and
 * for configureAlerts (ALERTS_BAD_SETTING naming the field, nothing changed), secrets only as env:/file:
 * and never echoed, config.example.yml's block, and the settings surviving a restart.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config';
import { GeoredError } from '../../src/errors/catalogue';
import type { GeographicRedundancy } from '../../src/geo/service';
import { problemsOf } from '../config/helpers';
import { openService } from '../geo/harness';
import { alertsConfig } from './harness';
import { newWebhookKey } from './receivers';

const KEY = newWebhookKey();
const env = { WHSEC: KEY, SMTP_PW: 'smtp-pass-29c1', PD_KEY: 'pd-key-77', NOT_A_KEY: 'plain-secret-value' };
Object.assign(process.env, { GEORED_TEST_SETTINGS_WHSEC: KEY });

const doc = (lines: string[]) =>
  ['features:', '  geographic_redundancy:', '    alerts:', ...lines.map((l) => `      ${l}`), ''].join('\n');

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('features.geographic_redundancy.alerts in config.yml', () => {
  it('reads every setting as written, secrets as their references', () => {
    const c = parseConfig(
      doc([
        'email: [ops@company.com]',
        'sms: ["+15551234567"]',
        'webhook: https://hooks.company.com/geo-redundancy',
        'webhook_secret: env:WHSEC',
        'on_events: [failover, region_down, region_degraded]',
        'repeat_interval: 900',
        'smtp: { host: smtp.company.com, security: tls, username: geored, password: env:SMTP_PW, from: geored@company.com }',
        'sms_gateway: { account_sid: AC1, auth_token: env:SMTP_PW, from: "+15550001111" }',
        'pagerduty: { routing_key: env:PD_KEY }',
      ]),
      'alerts.yml',
      env,
    );
    expect(c.geo.alerts).toEqual({
      email: ['ops@company.com'],
      sms: ['+15551234567'],
      webhook: 'https://hooks.company.com/geo-redundancy',
      webhook_secret: 'env:WHSEC',
      on_events: ['failover', 'region_down', 'region_degraded'],
      repeat_interval: 900,
      smtp: {
        host: 'smtp.company.com',
        security: 'tls',
        username: 'geored',
        password: 'env:SMTP_PW',
        from: 'geored@company.com',
      },
      sms_gateway: { account_sid: 'AC1', auth_token: 'env:SMTP_PW', from: '+15550001111' },
      pagerduty: { routing_key: 'env:PD_KEY' },
    });
    expect(JSON.stringify(c)).not.toContain(KEY);
    expect(JSON.stringify(c)).not.toContain('smtp-pass-29c1');
  });

  it('names the file, the path, the line and what was expected for each problem; never echoes a secret', () => {
    const problems = problemsOf(
      doc([
        'email: [ops@company.com, not-an-address]',
        'sms: ["555-1234"]',
        'webhook: ftp://hooks.company.com/x',
        'webhook_secret: whsec_dGhpcyBpcyBhIHNlY3JldCBrZXkgb2YgMzIgYnl0ZXM=',
        'on_events: [failover, explode]',
        'repeat_interval: 0',
        'emial: [x@y.z]',
        'smtp: { host: smtp.company.com, port: 70000, from: geored@company.com, password: env:UNSET_VAR_1 }',
        'pagerduty: { routing_key: env:NOT_A_KEY, base_url: nowhere }',
      ]),
      env,
    );
    const p = 'features.geographic_redundancy.alerts';
    expect(problems.map((x) => [x.path, x.message, x.line])).toEqual([
      [`${p}.email[1]`, 'found "not-an-address", expected an email address such as ops@example.com', 4],
      [`${p}.sms[0]`, 'found "555-1234", expected a phone number in E.164 form such as +15551234567', 5],
      [`${p}.webhook`, 'found "ftp://hooks.company.com/x", expected an http:// or https:// URL', 6],
      [
        `${p}.webhook_secret`,
        'found a secret written in place (not shown), expected env:VAR or file:PATH naming the secret',
        7,
      ],
      [
        `${p}.on_events[1]`,
        expect.stringMatching(/^found "explode", expected one of failover, failback, /),
        8,
      ],
      [`${p}.repeat_interval`, 'found 0, expected a duration in seconds from 1 to 604800', 9],
      [
        `${p}.emial`,
        expect.stringMatching(/^found an unknown key, expected one of email, sms, webhook, /),
        10,
      ],
      [`${p}.smtp.username`, 'found nothing, expected a user name, since smtp.password is given', 11],
      [`${p}.smtp.port`, 'found 70000, expected a port from 1 to 65535', 11],
      [
        `${p}.smtp.password`,
        'found env:UNSET_VAR_1, but the variable is not set, expected env:VAR or file:PATH naming the secret',
        11,
      ],
      [`${p}.pagerduty.base_url`, 'found "nowhere", expected an http:// or https:// URL', 12],
    ]);
    expect(JSON.stringify(problems)).not.toContain('dGhpcyBpcyBhIHNlY3JldCBrZXkgb2YgMzIgYnl0ZXM');
  });

  it('checks the settings as a whole: a channel with targets needs its server, a webhook its key', () => {
    const problems = problemsOf(
      doc(['email: [ops@company.com]', 'sms: ["+15551234567"]', 'webhook: https://h.example.com/']),
      env,
    );
    expect(problems.map((x) => [x.path, x.message])).toEqual([
      [
        'features.geographic_redundancy.alerts.smtp',
        'found nothing, expected an smtp mapping (host, from) to send email',
      ],
      [
        'features.geographic_redundancy.alerts.sms_gateway',
        'found nothing, expected an sms_gateway mapping (account_sid, auth_token, from) to send SMS',
      ],
      [
        'features.geographic_redundancy.alerts.webhook_secret',
        'found nothing, expected env:VAR or file:PATH naming the secret to sign webhooks',
      ],
    ]);
    // dry_run sends nothing, so the guide's snippet needs no servers.
    const dry = parseConfig(
      doc(['email: [ops@company.com]', 'webhook: https://h.example.com/', 'dry_run: true']),
      'a.yml',
      env,
    );
    expect(dry.geo.alerts?.dry_run).toBe(true);
  });

  it('refuses a webhook_secret that is not a Standard Webhooks key, without showing it', () => {
    const problems = problemsOf(
      doc(['webhook: https://h.example.com/', 'webhook_secret: env:NOT_A_KEY']),
      env,
    );
    expect(problems.map((x) => x.message)).toEqual([
      'found the value of env:NOT_A_KEY (not shown), expected a Standard Webhooks key: whsec_ followed by the base64 of 24 to 64 bytes',
    ]);
  });

  it("config.example.yml's alerts block, uncommented, is valid", () => {
    const text = readFileSync(new URL('../../config.example.yml', import.meta.url), 'utf8');
    const lines = text.split('\n');
    const start = lines.findIndex((l) => l === '    # alerts:');
    expect(start).toBeGreaterThan(0);
    const block: string[] = [];
    for (const l of lines.slice(start)) {
      if (!l.startsWith('    # ')) break;
      block.push(`    ${l.slice(6)}`);
    }
    const c = parseConfig(['features:', '  geographic_redundancy:', ...block, ''].join('\n'), 'example', {
      GEORED_WEBHOOK_SECRET: KEY,
      GEORED_SMTP_PASSWORD: 'x',
      GEORED_TWILIO_TOKEN: 'y',
      GEORED_PAGERDUTY_KEY: 'z',
    });
    expect(Object.keys(c.geo.alerts!).sort()).toEqual(
      [
        'delivery_timeout',
        'dry_run',
        'email',
        'instance_name',
        'on_events',
        'pagerduty',
        'repeat_interval',
        'retry_attempts',
        'retry_initial_delay',
        'retry_max_delay',
        'sms',
        'sms_gateway',
        'smtp',
        'webhook',
        'webhook_secret',
      ].sort(),
    );
  });
});

describe('configureAlerts', () => {
  async function service(
    storeUrl: string,
    alerts: string[] = ['dry_run: true'],
  ): Promise<GeographicRedundancy> {
    const s = await openService({ config: alertsConfig(storeUrl, alerts), controlled: new Map() });
    return s;
  }

  it("takes the guide's arguments, refuses bad ones naming the field, and keeps them across a restart", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'geored-alerts-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const url = `sqlite:${join(dir, 'geored.db')}`;
    let geo = await service(url, ['dry_run: true', 'instance_name: from-file', 'repeat_interval: 120']);
    cleanups.push(() => geo.stop());
    const before = geo.getAlerts();
    expect(before).toMatchObject({
      email: [],
      sms: [],
      webhook: null,
      dry_run: true,
      instance_name: 'from-file',
    });

    const guide = {
      email: ['ops@company.com'],
      sms: ['+1555123456'],
      webhook: 'https://hooks.company.com/geo-redundancy',
      on_events: ['failover', 'region_down', 'region_degraded'],
    };
    const inForce = await geo.configureAlerts(guide);
    expect(inForce).toMatchObject({
      ...guide,
      dry_run: true,
      instance_name: 'from-file',
      repeat_interval: 120,
    });

    for (const [patch, field, found] of [
      [{ sms: ['555'] }, 'sms[0]', '"555"'],
      [{ on_events: ['failover', 'meltdown'] }, 'on_events[1]', '"meltdown"'],
      [{ webhook_secret: KEY }, 'webhook_secret', 'a secret written in place (not shown)'],
      [{ dry_run: false }, 'smtp', 'nothing'],
      [{ smtp: { host: 'h', from: 'a@b.c', colour: 'red' } }, 'smtp.colour', 'an unknown key'],
    ] as const) {
      const err = await geo.configureAlerts(patch as never).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(GeoredError);
      expect(err).toMatchObject({ code: 'ALERTS_BAD_SETTING', params: { field, found } });
      expect(String((err as Error).message)).not.toContain(KEY.slice(6));
    }
    expect(geo.getAlerts()).toEqual(inForce);

    // null clears one setting; the rest stays.
    expect(await geo.configureAlerts({ webhook: null })).toMatchObject({ webhook: null, email: guide.email });
    await geo.configureAlerts({ webhook: guide.webhook, webhook_secret: 'env:GEORED_TEST_SETTINGS_WHSEC' });
    await geo.stop();

    geo = await service(url, ['dry_run: true', 'instance_name: from-file', 'repeat_interval: 120']);
    cleanups.push(() => geo.stop());
    expect(geo.getAlerts()).toMatchObject({
      ...guide,
      webhook_secret: 'env:GEORED_TEST_SETTINGS_WHSEC',
      dry_run: true,
      instance_name: 'from-file',
      repeat_interval: 120,
    });
  });

  it("null clears a setting the file made, and that holds across a restart; the file's others stay", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'geored-alerts-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const url = `sqlite:${join(dir, 'geored.db')}`;
    const file = [
      'dry_run: true',
      'webhook: https://from-file.example.com/hook',
      'email: [file@example.com]',
    ];
    let geo = await service(url, file);
    cleanups.push(() => geo.stop());
    expect(geo.getAlerts()).toMatchObject({
      webhook: 'https://from-file.example.com/hook',
      email: ['file@example.com'],
    });
    expect(await geo.configureAlerts({ webhook: null })).toMatchObject({
      webhook: null,
      email: ['file@example.com'],
    });
    await geo.stop();
    geo = await service(url, file);
    cleanups.push(() => geo.stop());
    expect(geo.getAlerts()).toMatchObject({ webhook: null, email: ['file@example.com'], dry_run: true });
  });
});
