/** The `server` block: listeners, store, live state, API tokens, log level. */
import { accessSync, constants } from 'node:fs';
import { API_TOKEN_ENV, DEFAULT_SERVER } from './defaults';
import { formatListen, parseBindAddress, parseHostPort, parseListen } from './addresses';
import { isIP } from 'node:net';
import { readSecret, readUrlSetting } from './read-secret';
import { Secret } from './secret';
import type { ApiToken, ListenSpec, LogLevel, ServerConfig } from './types';
import type { Cursor, Reader } from './yaml-reader';

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

const STORE_EXPECTED = 'sqlite:PATH or a postgres://user@host/db URL';
const REDIS_EXPECTED = 'a redis://host:port or rediss://host:port URL';

function isStoreUrl(s: string): boolean {
  if (/^sqlite:./.test(s)) return true;
  if (!/^postgres(ql)?:\/\//.test(s)) return false;
  try {
    return new URL(s).hostname !== '' || new URL(s).pathname.length > 1;
  } catch {
    return false;
  }
}

function isRedisUrl(s: string): boolean {
  if (!/^rediss?:\/\//.test(s)) return false;
  try {
    return new URL(s).hostname !== '';
  } catch {
    return false;
  }
}

function readListen(r: Reader, c: Cursor): ListenSpec[] | undefined {
  const expected = 'a listen address like udp:127.0.0.1:5060, tcp:[::1]:5060 or tls:0.0.0.0:5061';
  const items = r.list(c, `a list of listen addresses (${expected})`);
  if (items === undefined || c.node === undefined) return undefined;
  if (items.length === 0) return r.wrong(c, `at least one listen address (${expected})`);
  const out: ListenSpec[] = [];
  const seen = new Map<string, string>();
  for (const item of items) {
    const text = r.string(item, expected);
    if (text === undefined) {
      if (item.node === undefined) r.wrong(item, expected);
      continue;
    }
    const spec = parseListen(text.trim());
    if (!spec) {
      r.wrong(item, expected);
      continue;
    }
    const key = formatListen(spec);
    const first = seen.get(key);
    if (first !== undefined) {
      r.reportAt('CONFIG_DUPLICATE', item, { what: 'listen address', value: key, first });
      continue;
    }
    seen.set(key, item.path);
    out.push(spec);
  }
  return out;
}

function readableFile(r: Reader, c: Cursor): string | undefined {
  const path = r.string(c, 'a file path');
  if (path === undefined) return undefined;
  try {
    accessSync(path, constants.R_OK);
    return path;
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code ?? 'not readable';
    return r.wrong(c, `a readable file (${reason})`);
  }
}

function readTokens(r: Reader, c: Cursor, env: NodeJS.ProcessEnv): ApiToken[] {
  const tokens: ApiToken[] = [];
  const names = new Map<string, string>();
  for (const item of r.list(c, 'a list of {name, token, role}') ?? []) {
    if (item.node === undefined) {
      r.wrong(item, 'a token entry {name, token, role}');
      continue;
    }
    const f = r.map(item, ['name', 'token', 'role']);
    if (!f) continue;
    const name = r.require(f.get('name'), 'a token name')
      ? r.string(f.get('name'), 'a token name')
      : undefined;
    const token = r.require(f.get('token'), 'env:VAR or file:PATH naming the token')
      ? readSecret(r, f.get('token'), env)
      : undefined;
    const role = r.oneOf(f.get('role'), ['admin', 'read'] as const) ?? 'read';
    if (name !== undefined) {
      const first = names.get(name);
      if (first !== undefined)
        r.reportAt('CONFIG_DUPLICATE', f.get('name'), { what: 'token name', value: `'${name}'`, first });
      else names.set(name, f.get('name').path);
    }
    if (name !== undefined && token !== undefined) {
      const same = tokens.find((t) => t.token.value === token.value);
      if (same) {
        r.reportAt('CONFIG_DUPLICATE', f.get('token'), {
          what: 'token value',
          value: '(not shown)',
          first: `token '${same.name}'`,
        });
      } else tokens.push({ name, token, role });
    }
  }
  const fromEnv = env[API_TOKEN_ENV]?.trim();
  if (fromEnv && !tokens.some((t) => t.token.source === `env:${API_TOKEN_ENV}`)) {
    const same = tokens.find((t) => t.token.value === fromEnv || t.name === API_TOKEN_ENV);
    if (same) {
      r.reportAt('CONFIG_DUPLICATE', c, {
        what: 'API token',
        value: `from ${API_TOKEN_ENV} (not shown)`,
        first: `token '${same.name}'`,
      });
    } else
      tokens.push({ name: API_TOKEN_ENV, token: new Secret(`env:${API_TOKEN_ENV}`, fromEnv), role: 'admin' });
  }
  return tokens;
}

const DNS_EXPECTED = 'a DNS server as an IP address, IP:port or [v6]:port, e.g. 127.0.0.1:5353';

/** `server.dns.servers`: node's Resolver.setServers format, checked here so a typo fails at load time. */
function readDns(r: Reader, c: Cursor): ServerConfig['dns'] {
  const f = r.map(c, ['servers']);
  if (!f || c.node === undefined) return undefined;
  const expected = `a list of DNS servers (${DNS_EXPECTED})`;
  if (!r.require(f.get('servers'), expected)) return undefined;
  const items = r.list(f.get('servers'), expected);
  if (items === undefined) return undefined;
  if (items.length === 0) {
    r.wrong(f.get('servers'), `at least one DNS server (${DNS_EXPECTED})`);
    return undefined;
  }
  const servers: string[] = [];
  for (const item of items) {
    const text = r.string(item, DNS_EXPECTED)?.trim();
    if (text === undefined) {
      if (item.node === undefined) r.wrong(item, DNS_EXPECTED);
      continue;
    }
    const hp = parseHostPort(text, false);
    if (!hp || isIP(hp.host) === 0) r.wrong(item, DNS_EXPECTED);
    else servers.push(text);
  }
  return servers.length === items.length ? { servers } : undefined;
}

export function readServer(r: Reader, c: Cursor, env: NodeJS.ProcessEnv): ServerConfig {
  const f = r.map(c, ['sip', 'api', 'store', 'redis', 'tokens', 'log_level', 'dns']);
  const d = DEFAULT_SERVER;
  if (!f)
    return {
      ...d,
      tokens: readTokens(r, { path: 'server.tokens', node: undefined, anchor: undefined }, env),
    };

  const sipF = r.map(f.get('sip'), ['listen', 'tls']);
  const listen = (sipF && readListen(r, sipF.get('listen'))) ?? d.sip.listen;
  let tls: ServerConfig['sip']['tls'];
  const tlsF = sipF && r.map(sipF.get('tls'), ['cert', 'key', 'ca']);
  if (sipF && tlsF && sipF.has('tls')) {
    const cert = r.require(tlsF.get('cert'), 'a certificate file (PEM)')
      ? readableFile(r, tlsF.get('cert'))
      : undefined;
    const key = r.require(tlsF.get('key'), 'a private key file (PEM)')
      ? readableFile(r, tlsF.get('key'))
      : undefined;
    const ca = readableFile(r, tlsF.get('ca'));
    if (cert !== undefined && key !== undefined) tls = ca === undefined ? { cert, key } : { cert, key, ca };
  } else if (sipF && listen.some((l) => l.protocol === 'tls')) {
    r.reportAt('CONFIG_MISSING', sipF.get('tls'), {
      expected: 'tls {cert, key} since a tls: listen address is configured',
    });
  }

  const apiF = r.map(f.get('api'), ['listen', 'metrics_public']);
  const apiText = apiF && r.string(apiF.get('listen'), 'an address like 127.0.0.1:8080 or [::1]:8080');
  let apiListen = d.api.listen;
  if (apiF && apiText !== undefined) {
    const parsed = parseBindAddress(apiText.trim());
    if (parsed) apiListen = parsed;
    else r.wrong(apiF.get('listen'), 'an IP address and port like 127.0.0.1:8080 or [::1]:8080');
  }

  const store = readUrlSetting(r, f.get('store'), env, STORE_EXPECTED, isStoreUrl) ?? d.store;
  const redis = readUrlSetting(r, f.get('redis'), env, REDIS_EXPECTED, isRedisUrl);
  const tokens = readTokens(r, f.get('tokens'), env);
  const log_level = r.oneOf(f.get('log_level'), LOG_LEVELS) ?? d.log_level;
  const dns = readDns(r, f.get('dns'));

  return {
    sip: tls ? { listen, tls } : { listen },
    api: {
      listen: apiListen,
      metrics_public: (apiF && r.boolean(apiF.get('metrics_public'))) ?? d.api.metrics_public,
    },
    store,
    ...(redis !== undefined ? { redis } : {}),
    tokens,
    log_level,
    ...(dns !== undefined ? { dns } : {}),
  };
}
