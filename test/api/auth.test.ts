/**
 * Bearer tokens: the matrix of no / wrong / read / admin token against every route, the 401 challenge,
 * and that no token ever reaches the log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matchToken } from '../../src/api/auth';
import { ADMIN, ALICE, P, READER, call, eventually, startApi, type TestApi } from './harness';
import { ROUTES } from './routes';

let api: TestApi;
beforeAll(async () => {
  api = await startApi();
  await eventually(async () => api.geo.getActiveRegion()?.name, 'an active region');
});
afterAll(async () => {
  await api.close();
});

const send = (r: (typeof ROUTES)[number], token: string | null, scheme = 'Bearer') =>
  call(api.app, r.method, r.url, {
    token: null,
    ...(r.body !== undefined ? { body: r.body } : {}),
    headers: token === null ? {} : { authorization: `${scheme} ${token}` },
  });

describe('the auth matrix', () => {
  for (const r of ROUTES.filter((x) => x.access !== 'public')) {
    it(`${r.method} ${r.path} (${r.access})`, async () => {
      for (const [token, scheme] of [
        [null, 'Bearer'],
        ['wrong-token', 'Bearer'],
        [ADMIN.slice(0, -1), 'Bearer'],
        [ADMIN, 'Basic'],
      ] as const) {
        const res = await send(r, token, scheme);
        expect(res.statusCode, `${token} ${scheme}`).toBe(401);
        expect(res.headers['www-authenticate']).toMatch(/^Bearer\b/);
        expect(res.json()).toEqual({ error: { code: 'API_UNAUTHORIZED', message: expect.any(String) } });
      }
      const asReader = await send(r, READER);
      if (r.access === 'admin') {
        expect(asReader.statusCode).toBe(403);
        expect(asReader.json().error.code).toBe('API_FORBIDDEN');
        expect(asReader.json().error.message).toContain('ci-reader');
      } else {
        expect(asReader.statusCode).toBe(r.status);
      }
      expect((await send(r, ADMIN)).statusCode).toBe(r.status);
      expect((await send(r, ALICE)).statusCode).toBe(r.status);
      // The scheme name is case-insensitive (RFC 7235).
      expect((await send(r, ADMIN, 'bearer')).statusCode).toBe(r.status);
    });
  }

  it('public routes answer without a token, and with a wrong one', async () => {
    for (const r of ROUTES.filter((x) => x.access === 'public')) {
      expect((await send(r, null)).statusCode, r.path).toBe(200);
      expect((await send(r, 'wrong-token')).statusCode, r.path).toBe(200);
    }
  });

  it('a read token cannot change anything: the failover it asks for does not happen', async () => {
    const res = await call(api.app, 'POST', `${P}/failover`, {
      token: READER,
      body: { target_region: 'us-west-1' },
    });
    expect(res.statusCode).toBe(403);
    expect(api.geo.getActiveRegion()?.name).toBe('us-east-1');
    expect(await api.store.listFailovers({ limit: 5 })).toEqual([]);
  });

  it('no token value ever reaches the log', async () => {
    for (const t of [ADMIN, READER, ALICE, 'wrong-token-value']) {
      await call(api.app, 'GET', `${P}/regions`, { token: t });
      await call(api.app, 'POST', `${P}/failover`, { token: t, body: { target_region: 'nowhere' } });
    }
    const text = api.logs.join('');
    expect(text.length).toBeGreaterThan(0);
    expect(text).toContain('"by":"ci-reader"');
    for (const t of [ADMIN, READER, ALICE, 'wrong-token-value']) expect(text).not.toContain(t);
  });
});

describe('matchToken', () => {
  it('finds the token among several, whatever its length, and nothing for a prefix or suffix', async () => {
    const { createHash } = await import('node:crypto');
    const known = ['a', 'bb', 'a-much-longer-token'].map((t, i) => ({
      name: `t${i}`,
      role: 'read' as const,
      digest: createHash('sha256').update(t).digest(),
    }));
    expect(matchToken(known, 'bb')?.name).toBe('t1');
    expect(matchToken(known, 'a-much-longer-token')?.name).toBe('t2');
    expect(matchToken(known, 'a-much-longer')).toBeNull();
    expect(matchToken(known, 'bbb')).toBeNull();
  });
});
