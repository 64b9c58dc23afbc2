import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, defaultConfig, loadConfig, parseConfig } from '../../src/config';
import { SOURCE, errorOf, problemsOf } from './helpers';

const guideFile = new URL('./fixtures/guide-config.yml', import.meta.url).pathname;
const exampleFile = new URL('../../config.example.yml', import.meta.url).pathname;

describe('loadConfig: the guide example', () => {
  it("loads the guide's config.yml verbatim and gives the guide's values", () => {
    const c = loadConfig(guideFile, {});
    expect(c.source).toBe(guideFile);
    expect(c.geo.enabled).toBe(true);
    expect(c.geo.health_check).toMatchObject({ interval: 30, timeout: 10, retry_count: 3 });
    expect(c.geo.failover.automatic).toBe(true);
    expect(c.geo.failback).toMatchObject({ enabled: false, delay: 300 });
    expect(c.geo.regions.map((r) => [r.name, r.priority, r.trunk_id, r.sip_server, r.location])).toEqual([
      ['us-east-1', 1, 'trunk-us-east', 'sip.us-east.provider.com', 'Virginia, USA'],
      ['us-west-1', 2, 'trunk-us-west', 'sip.us-west.provider.com', 'California, USA'],
      ['eu-west-1', 3, 'trunk-eu-west', 'sip.eu-west.provider.com', 'Ireland, EU'],
    ]);
    expect(c.geo.regions[0]!.target).toEqual({
      host: 'sip.us-east.provider.com',
      port: null,
      transport: null,
      secure: false,
    });
    expect(c.geo.regions[0]!.transport).toBe('udp');
    expect(c.server).toEqual(defaultConfig({}).server);
  });
});

describe('defaultConfig', () => {
  it('has the embedded defaults: SIP udp+tcp 127.0.0.1:5060, API 127.0.0.1:8080, SQLite, no redis, no regions', () => {
    const c = defaultConfig({});
    expect(c.source).toBe('<embedded defaults>');
    expect(c.server.sip.listen).toEqual([
      { protocol: 'udp', address: '127.0.0.1', port: 5060 },
      { protocol: 'tcp', address: '127.0.0.1', port: 5060 },
    ]);
    expect(c.server.api.listen).toEqual({ address: '127.0.0.1', port: 8080 });
    expect(c.server.store).toBe('sqlite:./data/geored.db');
    expect(c.server.redis).toBeUndefined();
    expect(c.server.tokens).toEqual([]);
    expect(c.geo.regions).toEqual([]);
    expect(c.geo.health_check).toMatchObject({ interval: 30, timeout: 10, retry_count: 3 });
    expect(c.geo.failover.automatic).toBe(true);
    expect(c.geo.failback).toMatchObject({ enabled: false, delay: 300 });
    expect(c.geo.routing.strategy).toBe('priority');
    expect(c.proxy).toEqual({
      provisional_timeout_ms: 500,
      failover_codes: [408, 500, 503, 504],
      failover_6xx: [],
      record_route: true,
      max_forwards: 70,
      timer_c_ms: 185_000,
      did_header: null,
      history_info: true,
    });
    expect(c.pbx).toEqual({ allow_any_loopback: true });
  });

  it('takes the admin token from GEORED_API_TOKEN', () => {
    const c = defaultConfig({ GEORED_API_TOKEN: 's3cret-admin' });
    expect(c.server.tokens).toHaveLength(1);
    expect(c.server.tokens[0]!.role).toBe('admin');
    expect(c.server.tokens[0]!.token.source).toBe('env:GEORED_API_TOKEN');
    expect(c.server.tokens[0]!.token.value).toBe('s3cret-admin');
  });

  it('is what an empty document means', () => {
    expect({ ...parseConfig('', SOURCE, {}), source: 'x' }).toEqual({ ...defaultConfig({}), source: 'x' });
    expect({ ...parseConfig('# only a comment\n', SOURCE, {}), source: 'x' }).toEqual({
      ...defaultConfig({}),
      source: 'x',
    });
  });
});

describe('loadConfig: the example and files on disk', () => {
  it('loads config.example.yml with its secrets in the environment and on disk', () => {
    const dir = mkdtempSync(join(tmpdir(), 'geored-config-'));
    const cwd = process.cwd();
    writeFileSync(join(dir, 'eu.password'), 'eu-secret\n');
    const text = readFileSync(exampleFile, 'utf8').replace(
      'file:./secrets/eu-west-1.password',
      `file:${join(dir, 'eu.password')}`,
    );
    writeFileSync(join(dir, 'config.yml'), text);
    const c = loadConfig(join(dir, 'config.yml'), {
      GEORED_US_EAST_PASSWORD: 'east-secret',
      GEORED_READ_TOKEN: 'read-token',
    });
    expect(process.cwd()).toBe(cwd);
    expect(c.geo.regions.map((r) => r.name)).toEqual(['us-east-1', 'us-west-1', 'eu-west-1']);
    expect(c.geo.regions[0]!.credentials!.password.value).toBe('east-secret');
    expect(c.geo.regions[2]!.credentials!.password.value).toBe('eu-secret');
    expect(c.geo.regions[1]!.target).toEqual({
      host: 'sip.us-west.provider.com',
      port: 5060,
      transport: 'tcp',
      secure: false,
    });
    expect(c.geo.regions[2]!.transport).toBe('tls');
    expect(c.geo.routing.time_based.map((t) => [t.start, t.end, t.region])).toEqual([
      [0, 480, 'eu-west-1'],
      [480, 1020, 'us-east-1'],
      [1020, 1440, 'us-west-1'],
    ]);
    expect(c.geo.routing.weights).toEqual({ 'us-east-1': 50, 'us-west-1': 30, 'eu-west-1': 20 });
    expect(c.geo.routing.location_rules[0]).toEqual({
      prefix: '+44',
      location: { latitude: 53.35, longitude: -6.26 },
    });
    expect(c.geo.failback).toEqual({ enabled: false, delay: 300, health_threshold: 0.95, automatic: false });
    expect(c.server.tokens.map((t) => [t.name, t.role])).toEqual([['grafana', 'read']]);
    expect(c.geo.health_check.custom_checks.map((x) => x.name)).toEqual(['provider-status', 'pushed']);
    expect(c.geo.regions[0]!.rewrite_headers).toEqual([
      { header: 'Contact', action: 'replace_host', host: '192.0.2.10' },
      { header: 'User-Agent', action: 'remove' },
      { header: 'X-Trunk', action: 'set', value: 'geored' },
    ]);
  });

  it('reports an unreadable file as CONFIG_UNREADABLE naming the path', () => {
    const missing = join(tmpdir(), 'geored-no-such-dir', 'config.yml');
    let caught: unknown;
    try {
      loadConfig(missing, {});
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).code).toBe('CONFIG_UNREADABLE');
    expect((caught as ConfigError).message).toContain(missing);
    expect((caught as ConfigError).message).toContain('ENOENT');
  });
});

describe('YAML syntax errors', () => {
  it('are reported with line and column', () => {
    const problems = problemsOf('features:\n  geographic_redundancy:\n    regions: [a,\n  oops: 1\n');
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]!.code).toBe('CONFIG_YAML_SYNTAX');
    expect(problems[0]!.line).toBeGreaterThanOrEqual(3);
    expect(problems[0]!.column).toBeGreaterThanOrEqual(1);
    expect(problems[0]!.message).toMatch(/^YAML syntax error: /);
  });

  it('include duplicate keys', () => {
    const problems = problemsOf('server:\n  log_level: info\n  log_level: debug\n');
    expect(problems[0]).toMatchObject({ code: 'CONFIG_YAML_SYNTAX', line: 3 });
  });

  it('do not echo the source line (which could hold a literal secret)', () => {
    const err = errorOf('pbx:\n  credentials: { username: u, password: hunter2-literal\n');
    expect(err.message).not.toContain('hunter2-literal');
  });

  it('a document that is not a mapping is one problem', () => {
    expect(problemsOf('- a\n- b\n')).toEqual([
      expect.objectContaining({
        path: '',
        message: 'found a list, expected a mapping with keys features, server, proxy, pbx, security',
        line: 1,
        column: 1,
      }),
    ]);
  });
});
