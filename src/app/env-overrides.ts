/**
 * Environment overrides applied after the config is loaded (docker-compose sets them per instance):
 * GEORED_STORE, GEORED_REDIS, GEORED_SIP_LISTEN (`udp:127.0.0.1:5060,tcp:127.0.0.1:5060`) and
 * GEORED_API_LISTEN (`host:port`). A malformed value is a problem like one in the file: nothing starts.
 */
import { parseBindAddress } from '../config/addresses';
import type { Config, ListenSpec } from '../config/types';

export type OverrideResult = { ok: true; config: Config } | { ok: false; problems: string[] };

function listenSpec(text: string): ListenSpec | null {
  const m = /^(udp|tcp|tls):(.+)$/i.exec(text.trim());
  if (!m) return null;
  const addr = parseBindAddress(m[2]!);
  return addr ? { protocol: m[1]!.toLowerCase() as ListenSpec['protocol'], ...addr } : null;
}

export function applyEnvOverrides(config: Config, env: NodeJS.ProcessEnv = process.env): OverrideResult {
  const problems: string[] = [];
  let server = config.server;
  const store = env['GEORED_STORE'];
  if (store) {
    if (!/^(sqlite:|postgres(ql)?:\/\/)/.test(store)) {
      problems.push(`GEORED_STORE: expected sqlite:PATH or a postgres:// URL`);
    } else server = { ...server, store };
  }
  const redis = env['GEORED_REDIS'];
  if (redis) {
    if (!/^rediss?:\/\//.test(redis)) problems.push('GEORED_REDIS: expected a redis:// or rediss:// URL');
    else server = { ...server, redis };
  }
  const sip = env['GEORED_SIP_LISTEN'];
  if (sip) {
    const specs = sip
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    const parsed = specs.map(listenSpec);
    const badAt = parsed.findIndex((p) => p === null);
    if (specs.length === 0 || badAt >= 0) {
      problems.push(
        `GEORED_SIP_LISTEN: found ${JSON.stringify(specs[badAt] ?? sip)}, expected a comma list such as udp:127.0.0.1:5060,tcp:127.0.0.1:5060`,
      );
    } else server = { ...server, sip: { ...server.sip, listen: parsed as ListenSpec[] } };
  }
  const api = env['GEORED_API_LISTEN'];
  if (api) {
    const addr = parseBindAddress(api.trim());
    if (!addr)
      problems.push(
        `GEORED_API_LISTEN: found ${JSON.stringify(api)}, expected host:port such as 127.0.0.1:8080`,
      );
    else server = { ...server, api: { ...server.api, listen: addr } };
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, config: { ...config, server } };
}
