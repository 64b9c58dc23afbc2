import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store';
import { sqliteDatabase } from './databases';
import { defineStoreContract } from './store-contract';

defineStoreContract('SQLite file', sqliteDatabase);

describe('SQLite specifics', () => {
  it('creates the parent directory and uses WAL mode', async () => {
    const db = await sqliteDatabase();
    try {
      const path = db.url.slice('sqlite:'.length);
      expect(existsSync(path)).toBe(false);
      const store = await openStore(db.url);
      await store.close();
      expect(existsSync(path)).toBe(true);
      expect(await db.sql('PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }]);
    } finally {
      await db.drop();
    }
  });

  it('opens sqlite::memory: with the full schema, nothing shared between opens', async () => {
    const a = await openStore('sqlite::memory:');
    const b = await openStore('sqlite::memory:');
    try {
      await a.upsertRegion({ name: 'x', trunk_id: 't', sip_server: 's', priority: 1 });
      expect(await a.listRegions()).toHaveLength(1);
      expect(await b.listRegions()).toEqual([]);
      expect(a.dialect).toBe('sqlite');
    } finally {
      await a.close();
      await b.close();
    }
  });
});
