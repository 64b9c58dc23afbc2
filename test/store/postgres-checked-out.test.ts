/**
 * A PostgreSQL server going away while one of the pool's connections is checked out (a transaction in
 * progress) must fail that transaction, never the process. pg's pool listens for 'error' only on idle
 * clients; a checked-out one used to emit it with no listener, an uncaught exception that ended geored
 * (the store-outage scenario's CI run: the API refused connections once the process had gone).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { PostgresDb } from '../../src/store/postgres-db';
import { removeClusters, startClusters, type PgCluster } from '../helpers/pg-clusters';

afterAll(removeClusters, 120_000);

describe('PostgresDb when the server stops mid-transaction', () => {
  it('fails the transaction with the server’s reason and works again once the server is back', async () => {
    const [pg] = (await startClusters(['checked-out'])) as [PgCluster];
    const db = new PostgresDb(pg.url, { poolSize: 2 });
    const uncaught: Error[] = [];
    const onUncaught = (err: Error): void => void uncaught.push(err);
    process.on('uncaughtException', onUncaught);
    try {
      await db.exec('CREATE TABLE t (n int)');
      // The connection stays checked out, idle in the transaction, while the server terminates it: the
      // FATAL arrives with no query of ours running, the path that emitted 'error' to nobody.
      const tx = db.transaction(async (t) => {
        await t.run('INSERT INTO t VALUES (1)');
        await pg.stop();
        await new Promise((r) => setTimeout(r, 200));
        await t.run('INSERT INTO t VALUES (2)');
      });
      await expect(tx).rejects.toThrow(/terminat|Connection/i);
      expect(uncaught.map((e) => e.message)).toEqual([]);
      await pg.start();
      // The broken connection was dropped, not pooled again: the next transaction gets a fresh one.
      await db.transaction((t) => t.run('INSERT INTO t VALUES (3)'));
      expect(await db.all('SELECT n FROM t ORDER BY n')).toEqual([{ n: 3 }]);
    } finally {
      process.off('uncaughtException', onUncaught);
      await db.close();
    }
  }, 120_000);
});
