/**
 * TTL checks (`custom_checks: [{type: ttl}]`): something outside geored (a cron job, a provider's status
 * hook) pushes a status through the REST API, and each push is good for `ttl` seconds. No push within the
 * TTL is a failure, so a pusher that dies is noticed like a region that dies (Consul's TTL checks).
 */
import type { RegionConfig } from '../../config/types';
import { errorFactory } from '../../errors/catalogue';
import { CHECK_ERRORS } from '../../errors/checks';
import { failed, passed } from './outcome';
import type { CheckOutcome } from './types';

const checkError = errorFactory(CHECK_ERRORS);

export type TtlStatus = 'pass' | 'warn' | 'fail';

export interface TtlPush {
  readonly status: TtlStatus;
  readonly note?: string;
}

interface Pushed extends TtlPush {
  readonly at: number;
}

export class TtlBoard {
  private readonly pushes = new Map<string, Pushed>();
  /** When each TTL check started counting: before its first push, the TTL runs from here. */
  private readonly started = new Map<string, number>();

  constructor(private readonly now: () => number) {}

  push(region: string, name: string, push: TtlPush): void {
    if (push.status !== 'pass' && push.status !== 'warn' && push.status !== 'fail') {
      throw checkError('CHECK_BAD_TTL_STATUS', { status: JSON.stringify(push.status) });
    }
    const at = this.now();
    this.pushes.set(
      key(region, name),
      push.note === undefined ? { status: push.status, at } : { ...push, at },
    );
  }

  /** The last push for the region, if any (for the API to show). */
  last(region: string, name: string): (TtlPush & { readonly at: number }) | undefined {
    return this.pushes.get(key(region, name));
  }

  forget(region: string): void {
    for (const k of [...this.pushes.keys(), ...this.started.keys()]) {
      if (k.startsWith(`${region}\u0000`)) {
        this.pushes.delete(k);
        this.started.delete(k);
      }
    }
  }

  /** The check itself: reads the board, does no I/O, so it answers at once. */
  check(name: string, ttlSeconds: number) {
    return async (region: RegionConfig): Promise<CheckOutcome> => {
      const now = this.now();
      const k = key(region.name, name);
      const last = this.pushes.get(k);
      const from = last?.at ?? this.started.get(k) ?? now;
      if (!this.started.has(k)) this.started.set(k, from);
      const age = now - from;
      const ttlText = `ttl ${Number(ttlSeconds.toFixed(3))} s`;
      if (age > ttlSeconds * 1000) {
        const what = last === undefined ? 'no TTL push yet, waited' : 'no TTL push for';
        return failed(`${what} ${(age / 1000).toFixed(1)} s, ${ttlText}`);
      }
      if (last === undefined) {
        // Not expired yet: give the pusher its first TTL before calling it a failure.
        return passed(null, `waiting for the first TTL push (${ttlText})`);
      }
      const note = last.note === undefined ? '' : `: ${last.note}`;
      if (last.status === 'fail') return failed(`TTL push says fail${note}`);
      if (last.status === 'warn') {
        return { success: true, level: 'warning', latency_ms: null, detail: `TTL push says warn${note}` };
      }
      return passed(null, `TTL push says pass${note}`);
    };
  }
}

function key(region: string, name: string): string {
  return `${region}\u0000${name}`;
}
