/**
 * docs/prometheus/geored-rules.yml and docs/grafana/geored-dashboard.json: the rules pass `promtool check
 * rules` and their unit tests (`promtool test rules`, synthetic series); each alert has a summary and a
 * description; every dashboard query is valid PromQL (checked by promtool as a rule); and every metric the
 * rules and the dashboard query, with the labels they select on, is in a real geored's /metrics output.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { call, startApi, type TestApi } from '../api/harness';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const RULES = join(root, 'docs/prometheus/geored-rules.yml');
const RULE_TESTS = join(root, 'docs/prometheus/geored-rules.test.yml');
const DASHBOARD = join(root, 'docs/grafana/geored-dashboard.json');

function promtool(args: string[]): string {
  try {
    return execFileSync('promtool', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stdout?: string; stderr?: string };
    if (e.code === 'ENOENT') throw new Error('promtool is missing: install the Debian package prometheus');
    throw new Error(`promtool ${args.join(' ')} failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

interface Rule {
  record?: string;
  alert?: string;
  expr: string;
  annotations?: Record<string, string>;
}
const rules = (parse(readFileSync(RULES, 'utf8')) as { groups: Array<{ rules: Rule[] }> }).groups.flatMap(
  (g) => g.rules,
);

interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  targets: Array<{ refId: string; expr: string; datasource: { type: string; uid: string } }>;
}
const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as {
  title: string;
  uid: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: Array<{ name: string; type: string; query: string }> };
  annotations: { list: Array<{ expr: string }> };
};
const dashboardExprs = [
  ...dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)),
  ...dashboard.annotations.list.map((a) => a.expr),
];
/** Grafana's variables, as Prometheus would see them once Grafana has filled them in. */
const grafanaFilled = (expr: string) => expr.replace(/\$__rate_interval/g, '1m').replace(/\$__range/g, '6h');

describe('Prometheus rules', () => {
  it('pass promtool check rules and promtool test rules', () => {
    expect(promtool(['check', 'rules', RULES])).toContain(`SUCCESS: ${rules.length} rules found`);
    expect(promtool(['test', 'rules', RULE_TESTS])).toContain('SUCCESS');
  });

  it('alert on each condition the issue names, each with a summary and a description', () => {
    const alerts = rules.filter((r) => r.alert !== undefined);
    expect(alerts.map((a) => a.alert)).toEqual([
      'GeoredRegionDown',
      'GeoredAllRegionsDown',
      'GeoredFailoverHappened',
      'GeoredRegistrationFailing',
      'GeoredProbeLatencyHigh',
      'GeoredFlapGuardEngaged',
      'GeoredLiveStateDisconnected',
      'GeoredReplicationLagging',
    ]);
    for (const a of alerts) {
      expect(a.annotations?.summary, a.alert).toMatch(/\S/);
      expect(a.annotations?.description?.length ?? 0, a.alert).toBeGreaterThan(60);
    }
    // Each alert's unit test exists (promtool passes a file that tests nothing, so count them).
    const tested = readFileSync(RULE_TESTS, 'utf8')
      .match(/alertname: (\w+)/g)!
      .map((l) => l.slice(11));
    expect(new Set(tested)).toEqual(new Set(alerts.map((a) => a.alert)));
    // Recording rules used by alerts are defined here.
    const recorded = new Set(rules.flatMap((r) => (r.record ? [r.record] : [])));
    for (const r of rules)
      for (const name of r.expr.match(/geored:[a-z0-9_:]+/g) ?? []) expect(recorded).toContain(name);
  });
});

describe('Grafana dashboard', () => {
  it('is a dashboard Grafana imports: uid, schema, a Prometheus data source variable, laid-out panels', () => {
    expect(dashboard).toMatchObject({ title: expect.any(String), uid: 'geored-overview', schemaVersion: 39 });
    expect(dashboard.templating.list).toContainEqual(
      expect.objectContaining({ name: 'datasource', type: 'datasource', query: 'prometheus' }),
    );
    expect(new Set(dashboard.panels.map((p) => p.id)).size).toBe(dashboard.panels.length);
    for (const p of dashboard.panels) {
      expect(['state-timeline', 'timeseries', 'stat'], p.title).toContain(p.type);
      expect(p.gridPos.x + p.gridPos.w, p.title).toBeLessThanOrEqual(24);
      expect(p.targets.length, p.title).toBeGreaterThan(0);
      for (const t of p.targets) expect(t.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
    }
    expect(dashboard.panels.map((p) => p.title)).toEqual(
      expect.arrayContaining([
        'Region health state',
        'Active region',
        'Probe latency (p50, p95)',
        'Calls by region',
        'Per-call failovers',
        'Added latency (p50, p99)',
      ]),
    );
  });

  it('queries only valid PromQL (each query checked by promtool as a recording rule)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'geored-dash-'));
    try {
      const file = join(dir, 'dashboard-queries.yml');
      const asRules = dashboardExprs.map((e, i) => ({
        record: `dashboard:query_${i}`,
        expr: grafanaFilled(e),
      }));
      writeFileSync(file, stringify({ groups: [{ name: 'dashboard', rules: asRules }] }));
      expect(promtool(['check', 'rules', file])).toContain(`SUCCESS: ${asRules.length} rules found`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the metrics they query are in geored's /metrics", () => {
  let api: TestApi;
  let text = '';
  beforeAll(async () => {
    api = await startApi();
    // A switch, so the failover counter has a sample with its labels.
    const r = await call(api.app, 'POST', '/api/framework/geographic-redundancy/failover', {
      body: { target_region: 'us-west-1', reason: 'metrics test' },
    });
    expect(r.statusCode).toBe(200);
    const m = await call(api.app, 'GET', '/metrics');
    expect(m.statusCode).toBe(200);
    text = m.body;
  });
  afterAll(() => api.close());

  it('every metric name and every label selected on', () => {
    const types = new Map<string, string>();
    for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) types.set(name!, type!);
    const known = (name: string): string | null => {
      if (types.has(name)) return name;
      const base = name.replace(/_(bucket|sum|count)$/, '');
      return types.get(base) === 'histogram' ? base : null;
    };
    const samples = (name: string) =>
      [...text.matchAll(new RegExp(`^${name}\\{([^}]*)\\}`, 'gm'))].map((m) =>
        Object.fromEntries([...m[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1]!, l[2]!])),
      );
    const exprs = [...rules.map((r) => r.expr), ...dashboardExprs];
    const used = new Set<string>();
    for (const e of exprs) {
      for (const [, name] of e.matchAll(/\b(geored_[a-z0-9_]+)/g)) {
        expect(known(name!), `${name} (in ${e})`).not.toBeNull();
        used.add(known(name!)!);
      }
      // name{label="v"} and name{label=~"a|b"}: the label exists on the metric, with such a value.
      for (const [, name, selector] of e.matchAll(/\b(geored_[a-z0-9_]+)\{([^}]*)\}/g)) {
        const have = samples(name!);
        if (have.length === 0) continue; // no sample yet (a labelled counter before its first event)
        for (const [, label, op, value] of selector!.matchAll(/(\w+)\s*(=~|=)\s*"([^"]*)"/g)) {
          const ok = have.some((s) =>
            op === '=' ? s[label!] === value : new RegExp(`^(?:${value})$`).test(s[label!] ?? ''),
          );
          expect(ok, `${name}{${label}${op}"${value}"} in /metrics`).toBe(true);
        }
      }
    }
    expect([...used].sort()).toEqual([
      'geored_active_region',
      'geored_call_failovers_total',
      'geored_calls_total',
      'geored_failovers_suppressed_total',
      'geored_failovers_total',
      'geored_live_state_connected',
      'geored_probe_latency_seconds',
      'geored_probe_leader',
      'geored_probes_total',
      'geored_proxy_added_latency_seconds',
      'geored_region_health_score',
      'geored_region_health_state',
      'geored_registration_state',
      'geored_replication_lag_seconds',
    ]);
    // The samples this service has: health states per region, the failover just made, live state up.
    expect(samples('geored_region_health_state').filter((s) => s.state === 'healthy')).toHaveLength(2);
    expect(samples('geored_failovers_total')).toContainEqual({
      from: 'us-east-1',
      to: 'us-west-1',
      automatic: 'false',
    });
    expect(text).toMatch(/^geored_live_state_connected 1$/m);
  });
});
