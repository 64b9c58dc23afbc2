/**
 * The dialogs geored has routed, keyed by Call-ID: for CSeq offsets, the region that carries the call and
 * its record. Bounded in count (the oldest goes first) and forgotten after a quiet spell, since a lost BYE
 * must not pin memory for ever.
 */
import type { CSeqDialog } from './cseq-offset';
import type { CallRecord } from './call-records';

export interface Dialog extends CSeqDialog {
  readonly callId: string;
  readonly region: string | null;
  readonly record: CallRecord | null;
  touched: number;
}

export class DialogTable {
  private readonly map = new Map<string, Dialog>();

  constructor(
    private readonly max: number,
    private readonly idleMs: number,
  ) {}

  get size(): number {
    return this.map.size;
  }

  add(d: Dialog): void {
    this.map.delete(d.callId);
    this.map.set(d.callId, d);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as string);
  }

  /** The dialog, refreshed (moved to the young end), or undefined when unknown or expired. */
  get(callId: string, now: number): Dialog | undefined {
    const d = this.map.get(callId);
    if (!d) return undefined;
    if (now - d.touched > this.idleMs) {
      this.map.delete(callId);
      return undefined;
    }
    d.touched = now;
    this.map.delete(callId);
    this.map.set(callId, d);
    return d;
  }

  delete(callId: string): void {
    this.map.delete(callId);
  }

  /** Drops expired dialogs; the map is in touch order, so the scan stops at the first young one. */
  sweep(now: number): number {
    let n = 0;
    for (const d of this.map.values()) {
      if (now - d.touched <= this.idleMs) break;
      this.map.delete(d.callId);
      n++;
    }
    return n;
  }
}
