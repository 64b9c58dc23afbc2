/**
 * A copy of a Config safe to log, print or serve: every secret's value replaced, passwords in
 * connection URLs masked. Secrets are replaced field by field rather than trusting Secret.toJSON, so a
 * Config built by hand with plain objects is redacted too.
 */
import { REDACTED, urlPasswordMasked } from './redact-url';
import type { Config, SecretRef } from './types';

function redactSecret(s: SecretRef): SecretRef {
  return { source: s.source, value: REDACTED };
}

export function redactConfig(config: Config): Config {
  const { server, geo, pbx } = config;
  return structuredClone({
    ...config,
    server: {
      ...server,
      store: urlPasswordMasked(server.store),
      ...(server.redis !== undefined ? { redis: urlPasswordMasked(server.redis) } : {}),
      tokens: server.tokens.map((t) => ({ name: t.name, role: t.role, token: redactSecret(t.token) })),
    },
    geo: {
      ...geo,
      regions: geo.regions.map((r) => {
        const region = r.database === undefined ? r : { ...r, database: urlPasswordMasked(r.database) };
        return region.credentials
          ? {
              ...region,
              credentials: { ...region.credentials, password: redactSecret(region.credentials.password) },
            }
          : region;
      }),
    },
    pbx: pbx.credentials
      ? { ...pbx, credentials: { ...pbx.credentials, password: redactSecret(pbx.credentials.password) } }
      : pbx,
  });
}
