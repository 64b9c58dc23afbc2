import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseConfig, redactConfig } from '../../src/config';
import { SOURCE, errorOf, geoDoc, problemsOf, region } from './helpers';

const G = 'features.geographic_redundancy';
const SECRET = 'pa55-Very-Secret-Value';

function withCredentials(password: unknown): string {
  return geoDoc({ regions: [region('a', 1, { credentials: { username: 'u', password } })] });
}

describe('secrets: env:VAR and file:PATH', () => {
  it('reads env:VAR', () => {
    const c = parseConfig(withCredentials('env:REGION_A_PASSWORD'), SOURCE, { REGION_A_PASSWORD: SECRET });
    const cred = c.geo.regions[0]!.credentials!;
    expect(cred.password.value).toBe(SECRET);
    expect(cred.password.source).toBe('env:REGION_A_PASSWORD');
    expect(cred.expires).toBe(3600);
  });

  it('reads file:PATH at load time, trimmed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'geored-secret-'));
    const file = join(dir, 'password');
    writeFileSync(file, `\n  ${SECRET}  \n`);
    const c = parseConfig(withCredentials(`file:${file}`), SOURCE, {});
    expect(c.geo.regions[0]!.credentials!.password.value).toBe(SECRET);
  });

  it('refuses a literal secret without echoing it', () => {
    const err = errorOf(withCredentials(SECRET));
    expect(err.problems).toEqual([
      expect.objectContaining({
        code: 'CONFIG_LITERAL_SECRET',
        path: `${G}.regions[0].credentials.password`,
        message:
          'found a literal secret (value not shown), expected env:VAR or file:PATH so the secret stays out of the file',
      }),
    ]);
    expect(err.message).not.toContain(SECRET);
    expect(JSON.stringify(err)).not.toContain(SECRET);
  });

  it('refuses a literal number as a password without echoing it', () => {
    const err = errorOf(withCredentials(987654321));
    expect(err.problems[0]!.message).toBe(
      'found a value that is not a string (not shown), expected env:VAR or file:PATH naming the secret',
    );
    expect(err.message).not.toContain('987654321');
  });

  it('names a missing environment variable', () => {
    const [p] = problemsOf(withCredentials('env:NOT_SET_ANYWHERE'), {});
    expect(p).toMatchObject({
      code: 'CONFIG_SECRET_ENV_UNSET',
      message: 'found env:NOT_SET_ANYWHERE, but environment variable NOT_SET_ANYWHERE is not set or empty',
    });
  });

  it('names an unreadable file', () => {
    const missing = join(tmpdir(), 'geored-no-such-secret');
    const [p] = problemsOf(withCredentials(`file:${missing}`));
    expect(p).toMatchObject({
      code: 'CONFIG_SECRET_FILE_UNREADABLE',
      message: `found file:${missing}, but cannot read ${missing}: ENOENT`,
    });
  });

  it('names a file it may not read', () => {
    if (process.getuid?.() === 0) {
      // root reads any file; an unreadable directory entry is still unreadable: use a directory.
      const dir = mkdtempSync(join(tmpdir(), 'geored-secret-dir-'));
      const [p] = problemsOf(withCredentials(`file:${dir}`));
      expect(p!.message).toBe(`found file:${dir}, but cannot read ${dir}: EISDIR`);
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), 'geored-secret-'));
    const file = join(dir, 'locked');
    writeFileSync(file, SECRET);
    chmodSync(file, 0o000);
    const err = errorOf(withCredentials(`file:${file}`));
    expect(err.problems[0]!.message).toBe(`found file:${file}, but cannot read ${file}: EACCES`);
    expect(err.message).not.toContain(SECRET);
  });

  it('requires a password in region credentials', () => {
    const [p] = problemsOf(geoDoc({ regions: [region('a', 1, { credentials: { username: 'u' } })] }));
    expect(p).toMatchObject({
      code: 'CONFIG_MISSING',
      path: `${G}.regions[0].credentials.password`,
      message: 'found nothing, expected env:VAR or file:PATH naming the password',
    });
  });

  it('refuses literal API tokens and a password inside a store URL', () => {
    const problems = problemsOf(
      geoDoc(
        {},
        {
          server: {
            tokens: [{ name: 'ops', token: SECRET }],
            store: `postgres://geored:${SECRET}@db/geored`,
          },
        },
      ),
    );
    expect(problems.map((p) => [p.path, p.code])).toEqual([
      ['server.tokens[0].token', 'CONFIG_LITERAL_SECRET'],
      ['server.store', 'CONFIG_LITERAL_SECRET'],
    ]);
    for (const p of problems) expect(p.message).not.toContain(SECRET);
  });

  it('takes a store URL with a password from env:, and never prints a bad one', () => {
    const c = parseConfig(geoDoc({}, { server: { store: 'env:DB_URL' } }), SOURCE, {
      DB_URL: `postgres://geored:${SECRET}@db/geored`,
    });
    expect(c.server.store).toBe(`postgres://geored:${SECRET}@db/geored`);
    const err = errorOf(geoDoc({}, { server: { redis: 'env:REDIS_URL' } }), {
      REDIS_URL: `nope://${SECRET}`,
    });
    expect(err.problems[0]!.message).toBe(
      'found the value of env:REDIS_URL (not shown), expected a redis://host:port or rediss://host:port URL',
    );
    expect(err.message).not.toContain(SECRET);
  });

  it('rejects token names and token values used twice, without showing the value', () => {
    const err = errorOf(
      geoDoc(
        {},
        {
          server: {
            tokens: [
              { name: 'a', token: 'env:T1', role: 'admin' },
              { name: 'a', token: 'env:T2' },
              { name: 'c', token: 'env:T3' },
            ],
          },
        },
      ),
      { T1: SECRET, T2: 'other-token-value', T3: SECRET },
    );
    expect(err.problems.map((p) => [p.path, p.message])).toEqual([
      [
        'server.tokens[1].name',
        "found token name 'a' again (first at server.tokens[0].name), expected each token name once",
      ],
      [
        'server.tokens[2].token',
        "found token value (not shown) again (first at token 'a'), expected each token value once",
      ],
    ]);
    expect(err.message).not.toContain(SECRET);
  });

  it('adds GEORED_API_TOKEN as an admin token beside configured ones', () => {
    const c = parseConfig(
      geoDoc({}, { server: { tokens: [{ name: 'grafana', token: 'env:RO', role: 'read' }] } }),
      SOURCE,
      {
        RO: 'read-only-token',
        GEORED_API_TOKEN: SECRET,
      },
    );
    expect(c.server.tokens.map((t) => [t.name, t.role, t.token.source])).toEqual([
      ['grafana', 'read', 'env:RO'],
      ['GEORED_API_TOKEN', 'admin', 'env:GEORED_API_TOKEN'],
    ]);
  });
});

describe('redactConfig and the secret values', () => {
  const env = {
    REGION_A_PASSWORD: SECRET,
    PBX_PASSWORD: `${SECRET}-pbx`,
    GEORED_API_TOKEN: `${SECRET}-api`,
    DB_URL: `postgres://geored:${SECRET}-db@db/geored`,
    REDIS_URL: `redis://:${SECRET}-redis@cache:6379`,
  };
  const config = parseConfig(
    geoDoc(
      { regions: [region('a', 1, { credentials: { username: 'u', password: 'env:REGION_A_PASSWORD' } })] },
      {
        server: { store: 'env:DB_URL', redis: 'env:REDIS_URL' },
        pbx: { credentials: { username: 'pbx', password: 'env:PBX_PASSWORD' } },
      },
    ),
    SOURCE,
    env,
  );

  it('never shows a secret in JSON.stringify of the redacted view', () => {
    const json = JSON.stringify(redactConfig(config));
    expect(json).not.toContain(SECRET);
    expect(json).toContain('env:REGION_A_PASSWORD');
    expect(json).toContain('env:GEORED_API_TOKEN');
    expect(json).toContain('postgres://geored:***@db/geored');
    expect(json).toContain('redis://:***@cache:6379');
  });

  it('keeps every other value', () => {
    const redacted = redactConfig(config);
    expect(redacted.geo.regions[0]!.target).toEqual(config.geo.regions[0]!.target);
    expect(redacted.geo.health_check).toEqual(config.geo.health_check);
    expect(redacted.pbx.credentials!.password).toEqual({ source: 'env:PBX_PASSWORD', value: '[redacted]' });
    // The original still carries the real values.
    expect(config.pbx.credentials!.password.value).toBe(`${SECRET}-pbx`);
  });

  it('keeps password values out of JSON.stringify and util.inspect of the config itself', () => {
    const password = config.geo.regions[0]!.credentials!.password;
    expect(JSON.stringify(config.geo)).not.toContain(SECRET);
    expect(JSON.stringify(config.server.tokens)).not.toContain(SECRET);
    expect(inspect(config.geo, { depth: 10 })).not.toContain(SECRET);
    expect(String(password)).toBe('[secret env:REGION_A_PASSWORD]');
    expect({ ...password }).not.toHaveProperty('value', SECRET);
  });
});
