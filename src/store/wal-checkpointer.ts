/**
 * SQLite's WAL checkpoints, taken off the event loop. By default the connection that commits the write
 * that takes the WAL past 1,000 pages copies those pages into the database and fsyncs both files, inside
 * that commit: 10–15 ms every few seconds at 100 calls/s on this machine, during which no SIP message was
 * read (a burst of late INVITEs in the wire-latency capture). The main connection turns automatic
 * checkpoints off; a worker thread with its own connection to the same file runs a PASSIVE checkpoint
 * every second instead. PASSIVE takes no lock a writer waits for, so commits on the event loop go on while
 * it copies; the WAL restarts from its start once a checkpoint has copied all of it, so it stays small.
 *
 * The worker is eval'd from the text below (CommonJS), so the same code runs from dist/ and from the
 * TypeScript sources; it loads the better-sqlite3 that the main thread resolved.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('busy_timeout = 5000');
let failures = 0;
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
    failures = 0;
  } catch (e) {
    // Reported once per run of failures: the main connection then takes checkpoints back (onError).
    if (failures++ === 0) parentPort.postMessage({ error: String(e && e.message) });
  }
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export interface WalCheckpointerOptions {
  readonly intervalMs?: number;
  /** A checkpoint failed (the first of a run of failures); automatic checkpoints stay off meanwhile. */
  readonly onError?: (message: string) => void;
}

export class WalCheckpointer {
  private readonly worker: Worker;
  private readonly exited: Promise<void>;

  constructor(path: string, opts: WalCheckpointerOptions = {}) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER, {
      eval: true,
      workerData: { path, driver, intervalMs: opts.intervalMs ?? 1000 },
    });
    // It must not keep a process alive that has nothing else to do (a CLI command, a test).
    this.worker.unref();
    this.worker.on('message', (m: { error?: string }) => {
      if (m.error !== undefined) opts.onError?.(m.error);
    });
    this.exited = new Promise((resolve) => {
      this.worker.once('exit', () => resolve());
      this.worker.once('error', (e) => {
        opts.onError?.(e.message);
        resolve();
      });
    });
  }

  /** Stops the checkpoints and closes the worker's connection (before the main one, which checkpoints last). */
  async close(): Promise<void> {
    this.worker.postMessage('close');
    await this.exited;
  }
}
