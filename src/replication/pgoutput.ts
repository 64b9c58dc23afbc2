/**
 * Reads the changes a logical replication slot still holds (pg_logical_slot_peek_binary_changes on a
 * pgoutput slot, protocol version 1) without consuming them: how geored finds the rows an old primary
 * wrote that its subscribers never confirmed. Only what the report needs is decoded — relations, inserts,
 * updates, deletes, truncates and commit times; the message layout is PostgreSQL's "Logical Replication
 * Message Formats" chapter.
 */

export interface SlotChange {
  readonly lsn: string;
  readonly table: string;
  readonly operation: 'insert' | 'update' | 'delete' | 'truncate';
  /** Column → text value (null for SQL NULL); the key only for deletes. */
  readonly row: Record<string, string | null>;
  /** Commit time of the transaction, ISO-8601. */
  readonly committed_at: string | null;
}

interface Relation {
  readonly table: string;
  readonly columns: readonly string[];
}

/** PostgreSQL epoch (2000-01-01) in Unix microseconds. */
const PG_EPOCH_US = 946_684_800_000_000n;

class Cursor {
  off = 0;
  constructor(private readonly b: Buffer) {}
  u8(): number {
    return this.b.readUInt8(this.off++);
  }
  i16(): number {
    const v = this.b.readInt16BE(this.off);
    this.off += 2;
    return v;
  }
  i32(): number {
    const v = this.b.readInt32BE(this.off);
    this.off += 4;
    return v;
  }
  i64(): bigint {
    const v = this.b.readBigInt64BE(this.off);
    this.off += 8;
    return v;
  }
  str(): string {
    const end = this.b.indexOf(0, this.off);
    const s = this.b.toString('utf8', this.off, end);
    this.off = end + 1;
    return s;
  }
  bytes(n: number): Buffer {
    const s = this.b.subarray(this.off, this.off + n);
    this.off += n;
    return s;
  }
}

function tuple(c: Cursor, columns: readonly string[]): Record<string, string | null> {
  const n = c.i16();
  const row: Record<string, string | null> = {};
  for (let i = 0; i < n; i++) {
    const kind = String.fromCharCode(c.u8());
    const name = columns[i] ?? `column_${i + 1}`;
    if (kind === 'n') row[name] = null;
    else if (kind === 'u')
      continue; // unchanged TOAST value: not sent
    else row[name] = c.bytes(c.i32()).toString(kind === 't' ? 'utf8' : 'hex');
  }
  return row;
}

function timestamp(us: bigint): string {
  return new Date(Number((us + PG_EPOCH_US) / 1000n)).toISOString();
}

/** Decodes the peeked messages (in order), attributing each row change its transaction's commit time. */
export function decodeChanges(
  messages: ReadonlyArray<{ lsn: string; data: Buffer }>,
  appliedUpTo: string | null = null,
): SlotChange[] {
  const floor = appliedUpTo === null ? null : lsnValue(appliedUpTo);
  const relations = new Map<number, Relation>();
  const out: SlotChange[] = [];
  let pending: Array<Omit<SlotChange, 'committed_at'>> = [];
  let beginTime: string | null = null;
  for (const { lsn, data } of messages) {
    const c = new Cursor(data);
    const tag = String.fromCharCode(c.u8());
    switch (tag) {
      case 'B': {
        c.i64(); // final LSN
        beginTime = timestamp(c.i64());
        pending = [];
        break;
      }
      case 'C': {
        c.u8();
        const commitLsn = c.i64();
        c.i64();
        const at = timestamp(c.i64());
        // A transaction whose commit the subscriber applied reached it.
        if (floor === null || BigInt.asUintN(64, commitLsn) > floor)
          for (const p of pending) out.push({ ...p, committed_at: at ?? beginTime });
        pending = [];
        break;
      }
      case 'R': {
        const oid = c.i32();
        const schema = c.str();
        const name = c.str();
        c.u8(); // replica identity
        const n = c.i16();
        const columns: string[] = [];
        for (let i = 0; i < n; i++) {
          c.u8();
          columns.push(c.str());
          c.i32();
          c.i32();
        }
        relations.set(oid, { table: `${schema}.${name}`, columns });
        break;
      }
      case 'I': {
        const rel = relations.get(c.i32());
        c.u8(); // 'N'
        if (rel) pending.push({ lsn, table: rel.table, operation: 'insert', row: tuple(c, rel.columns) });
        break;
      }
      case 'U': {
        const rel = relations.get(c.i32());
        let kind = String.fromCharCode(c.u8());
        if (rel && (kind === 'K' || kind === 'O')) {
          tuple(c, rel.columns);
          kind = String.fromCharCode(c.u8());
        }
        if (rel) pending.push({ lsn, table: rel.table, operation: 'update', row: tuple(c, rel.columns) });
        break;
      }
      case 'D': {
        const rel = relations.get(c.i32());
        c.u8(); // 'K' or 'O'
        if (rel) pending.push({ lsn, table: rel.table, operation: 'delete', row: tuple(c, rel.columns) });
        break;
      }
      case 'T': {
        const n = c.i32();
        c.u8();
        for (let i = 0; i < n; i++) {
          const rel = relations.get(c.i32());
          if (rel) pending.push({ lsn, table: rel.table, operation: 'truncate', row: {} });
        }
        break;
      }
      default:
        break; // origin, type, message: nothing the report needs
    }
  }
  return out;
}

/** The report of what an old primary kept: how many rows, from which tables, over which time. */
export interface KeptAsideReport {
  readonly region: string;
  readonly count: number;
  readonly tables: Record<string, number>;
  readonly first_at: string | null;
  readonly last_at: string | null;
}

export function summarize(region: string, changes: readonly SlotChange[]): KeptAsideReport {
  const tables: Record<string, number> = {};
  let first: string | null = null;
  let last: string | null = null;
  for (const ch of changes) {
    tables[ch.table] = (tables[ch.table] ?? 0) + 1;
    if (ch.committed_at !== null) {
      if (first === null || ch.committed_at < first) first = ch.committed_at;
      if (last === null || ch.committed_at > last) last = ch.committed_at;
    }
  }
  return { region, count: changes.length, tables, first_at: first, last_at: last };
}

/** An LSN ('16/B374D848') as a number that orders correctly. */
export function lsnValue(lsn: string): bigint {
  const [hi, lo] = lsn.split('/');
  return (BigInt(`0x${hi ?? '0'}`) << 32n) + BigInt(`0x${lo ?? '0'}`);
}
