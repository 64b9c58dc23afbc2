import { describe, expect, it } from 'vitest';
import { GeoredError } from '../../src/errors/catalogue';
import { openStore, parseStoreUrl, redactUrl } from '../../src/store';
import { PG_HOST, PG_PORT } from './databases';

describe('store URLs', () => {
  it('redacts passwords in the authority and in the query', () => {
    expect(redactUrl('postgres://geo:s3cret@db.example.com:5432/geored')).toBe(
      'postgres://geo:***@db.example.com:5432/geored',
    );
    expect(redactUrl('postgresql://geo:p%40ss@h/db?sslmode=require&password=other')).toBe(
      'postgresql://geo:***@h/db?sslmode=require&password=***',
    );
    expect(redactUrl('postgres://geo@h/db')).toBe('postgres://geo@h/db');
    expect(redactUrl('sqlite:./data/geored.db')).toBe('sqlite:./data/geored.db');
  });

  it('parses the forms it accepts and rejects the rest with STORE_BAD_URL', () => {
    expect(parseStoreUrl('sqlite:./data/geored.db')).toEqual({
      dialect: 'sqlite',
      path: './data/geored.db',
      memory: false,
    });
    expect(parseStoreUrl('sqlite::memory:')).toEqual({ dialect: 'sqlite', path: ':memory:', memory: true });
    expect(parseStoreUrl('postgresql://u@h/db')).toEqual({
      dialect: 'postgres',
      connectionString: 'postgresql://u@h/db',
    });
    let caught: unknown;
    try {
      parseStoreUrl('mysql://root:hunter22@h/db');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(GeoredError);
    expect((caught as GeoredError).code).toBe('STORE_BAD_URL');
    expect((caught as GeoredError).message).not.toContain('hunter22');
  });
});

function expectRedacted(err: unknown, password: string): GeoredError {
  expect(err).toBeInstanceOf(GeoredError);
  const e = err as GeoredError;
  expect(e.code).toBe('STORE_CONNECT_FAILED');
  expect(e.message).toContain(':***@');
  for (const text of [e.message, e.stack ?? '', JSON.stringify(e.params), JSON.stringify(e)]) {
    expect(text).not.toContain(password);
  }
  expect('cause' in e).toBe(false);
  return e;
}

describe('connection failures never show the password', () => {
  it('when nothing listens', async () => {
    const password = 'Sup3rSecretPw';
    const err = await openStore(`postgres://postgres:${password}@127.0.0.1:1/geored`).catch(
      (e: unknown) => e,
    );
    expectRedacted(err, password);
  });

  it('when the real PostgreSQL refuses the database', async () => {
    const password = 'An0therSecret';
    const err = await openStore(
      `postgres://postgres:${password}@${PG_HOST}:${PG_PORT}/geored_no_such_db_${process.pid}`,
    ).catch((e: unknown) => e);
    const e = expectRedacted(err, password);
    expect(e.message).toMatch(/does not exist/);
  });

  it('when the URL itself is malformed', async () => {
    const password = 'Thirdpassword';
    const err = await openStore(`postgres://postgres:${password}@[::1/geored`).catch((e: unknown) => e);
    expectRedacted(err, password);
  });
});
