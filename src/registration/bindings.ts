/** The PBX's contact bindings at geored's registrar, in memory, with expiry (RFC 3261 §10.3). */
import type { Endpoint } from '../sip/transport/types';

export interface Binding {
  /** The contact URI as the PBX registered it. */
  readonly uri: string;
  /** Where requests for the PBX go. */
  readonly endpoint: Endpoint;
  readonly callId: string;
  readonly cseq: number;
  /** Epoch ms. */
  readonly expiresAt: number;
  readonly registeredAt: number;
}

/** Bindings kept newest first; an expired binding is dropped the first time anyone looks. */
export class BindingStore {
  private list: Binding[] = [];

  /** Live bindings at `now`, newest registration first. */
  active(now: number): readonly Binding[] {
    if (this.list.some((b) => b.expiresAt <= now)) this.list = this.list.filter((b) => b.expiresAt > now);
    return this.list;
  }

  replace(bindings: readonly Binding[]): void {
    this.list = [...bindings].sort((a, b) => b.registeredAt - a.registeredAt);
  }

  /** When the next binding lapses (epoch ms), or null with none. */
  nextExpiry(): number | null {
    let next: number | null = null;
    for (const b of this.list) if (next === null || b.expiresAt < next) next = b.expiresAt;
    return next;
  }
}
