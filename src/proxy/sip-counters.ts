/**
 * SIP messages in/out by method or status. Counting is a Map hit and an addition; the sums go into the
 * prom-client counters when /metrics is read (Metrics.onCollectSipCounts), not per message.
 */
import type { Counter, Histogram } from 'prom-client';
import type { Metrics } from '../metrics/registry';

type Child = ReturnType<Counter<'kind' | 'value'>['labels']>;

interface Count {
  readonly child: Child;
  pending: number;
}

class Direction {
  private readonly counts = new Map<string | number, Count>();
  constructor(private readonly counter: Counter<'kind' | 'value'>) {}

  request(method: string): void {
    this.count('request', method).pending++;
  }

  response(status: number): void {
    this.count('response', status).pending++;
  }

  /** Adds what was counted since the last flush to the prom-client counter. */
  flush(): void {
    for (const c of this.counts.values()) {
      if (c.pending === 0) continue;
      c.child.inc(c.pending);
      c.pending = 0;
    }
  }

  private count(kind: string, value: string | number): Count {
    let c = this.counts.get(value);
    if (!c) {
      c = { child: this.counter.labels(kind, String(value)), pending: 0 };
      this.counts.set(value, c);
    }
    return c;
  }
}

type LatencyChild = ReturnType<Histogram<'leg'>['labels']>;

export class SipCounters {
  readonly in: Direction;
  readonly out: Direction;
  /** The added-latency histogram's two legs, looked up once: a label object per call is hashed otherwise. */
  readonly inviteLatency: LatencyChild;
  readonly okLatency: LatencyChild;
  constructor(metrics: Metrics) {
    this.in = new Direction(metrics.sipIn);
    this.out = new Direction(metrics.sipOut);
    metrics.onCollectSipCounts(() => {
      this.in.flush();
      this.out.flush();
    });
    this.inviteLatency = metrics.addedLatency.labels('invite');
    this.okLatency = metrics.addedLatency.labels('200');
  }
}
