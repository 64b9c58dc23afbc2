/**
 * config.yml in, a validated Config with its defaults out, or one ConfigError listing every problem.
 * Nothing here touches the network or the store: a bad file stops geored before it does anything.
 */
import { readFileSync } from 'node:fs';
import { LineCounter, isMap, parseDocument, type YAMLError } from 'yaml';
import { EMBEDDED_SOURCE } from './defaults';
import { ConfigError, problemMessage, type ConfigProblem } from './problems';
import { readAlerts } from './read-alerts';
import { readPbx, readProxy } from './read-call-path';
import { readSecurity } from './read-security';
import { readFailoverAndFailback, readHealthCheck } from './read-health';
import { readRegions } from './read-regions';
import { readReplication } from './read-replication';
import { readRouting } from './read-routing';
import { readServer } from './read-server';
import type { Config } from './types';
import { Reader, describeNode } from './yaml-reader';

const GEO_KEYS = [
  'enabled',
  'health_check',
  'failover',
  'failback',
  'routing',
  'regions',
  'alerts',
  'data_replication',
];

function syntaxProblem(e: YAMLError, lines: LineCounter): ConfigProblem {
  // Only the first line: the parser may append the source text around the error, which could hold a secret.
  const detail = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  const { line, col } = lines.linePos(e.pos[0]);
  return {
    code: 'CONFIG_YAML_SYNTAX',
    path: '',
    message: problemMessage('CONFIG_YAML_SYNTAX', { detail }),
    line,
    column: col,
  };
}

/** Problems in the order of the file, so the list reads top to bottom; stable for equal positions. */
function inFileOrder(problems: readonly ConfigProblem[]): ConfigProblem[] {
  const key = (p: ConfigProblem) => (p.line ?? Infinity) * 1e6 + (p.column ?? 0);
  return [...problems].sort((a, b) => key(a) - key(b));
}

/** Validates a config document. `sourceName` names it in messages (usually the file path). */
export function parseConfig(text: string, sourceName: string, env: NodeJS.ProcessEnv = process.env): Config {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const syntax = [...doc.errors, ...doc.warnings].map((e) => syntaxProblem(e, lines));
  if (syntax.length > 0) throw new ConfigError(sourceName, syntax);

  const r = new Reader(doc, lines);
  const root = r.root();
  if (root.node !== undefined && !isMap(root.node)) {
    r.wrong(root, 'a mapping with keys features, server, proxy, pbx, security');
    throw new ConfigError(sourceName, r.problems);
  }
  const top = r.map(root, ['features', 'server', 'proxy', 'pbx', 'security'])!;
  const features = r.map(top.get('features'), ['geographic_redundancy']);
  const geoC = features?.get('geographic_redundancy') ?? {
    path: 'features.geographic_redundancy',
    node: undefined,
    anchor: undefined,
  };
  const geo = r.map(geoC, GEO_KEYS) ?? r.map({ ...geoC, node: undefined }, GEO_KEYS)!;

  const server = readServer(r, top.get('server'), env);
  const enabled = r.boolean(geo.get('enabled')) ?? true;
  const health_check = readHealthCheck(r, geo.get('health_check'));
  const { failover, failback } = readFailoverAndFailback(r, geo.get('failover'), geo.get('failback'));
  const { regions, names } = readRegions(r, geo.get('regions'), env);
  const routing = readRouting(r, geo.get('routing'), names);
  const alerts = readAlerts(r, geo.get('alerts'), env);
  const data_replication = readReplication(r, geo.get('data_replication'), regions, server.store);
  const proxy = readProxy(r, top.get('proxy'));
  const pbx = readPbx(r, top.get('pbx'), env);
  const security = readSecurity(r, top.get('security'));

  if (r.problems.length > 0) throw new ConfigError(sourceName, inFileOrder(r.problems));
  return {
    source: sourceName,
    written: writtenGeoFields(doc.toJS()),
    server,
    geo: {
      enabled,
      health_check,
      failover,
      failback,
      routing,
      regions,
      data_replication,
      ...(alerts ? { alerts } : {}),
    },
    proxy,
    pbx,
    security,
  };
}

/** The `section.field` names written under features.geographic_redundancy (where run-time settings come from). */
function writtenGeoFields(doc: unknown): string[] {
  const geo = (doc as { features?: { geographic_redundancy?: unknown } } | null)?.features
    ?.geographic_redundancy;
  if (geo === null || typeof geo !== 'object') return [];
  const out: string[] = [];
  for (const [section, fields] of Object.entries(geo)) {
    if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) continue;
    for (const field of Object.keys(fields)) out.push(`${section}.${field}`);
  }
  return out;
}

/** Reads and validates a config file; an unreadable file is a ConfigError (CONFIG_UNREADABLE) too. */
export function loadConfig(path: string, env: NodeJS.ProcessEnv = process.env): Config {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code ?? describeNode(undefined);
    const problem: ConfigProblem = {
      code: 'CONFIG_UNREADABLE',
      path: '',
      message: problemMessage('CONFIG_UNREADABLE', { path, reason }),
    };
    throw new ConfigError(path, [problem], 'CONFIG_UNREADABLE', { path, reason });
  }
  return parseConfig(text, path, env);
}

/**
 * The embedded defaults geored runs on without a file: no regions, SQLite under ./data, live state in
 * memory; the admin token from GEORED_API_TOKEN when set.
 */
export function defaultConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return parseConfig('', EMBEDDED_SOURCE, env);
}
