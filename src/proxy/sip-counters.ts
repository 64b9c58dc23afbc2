/** SIP messages in/out by method or status, with the prom-client children cached so counting is a Map hit. */
import type { Counter, Histogram } from 'prom-client';
import type { Metrics } from '../metrics/registry';

type Child = ReturnType<Counter<'kind' | 'value'>['labels']>;

class Direction {
  private readonly children = new Map<string | number, Child>();
  constructor(private readonly counter: Counter<'kind' | 'value'>) {}

  request(method: string): void {
    this.child('request', method).inc();
  }

  response(status: number): void {
    this.child('response', status).inc();
  }

  private child(kind: string, value: string | number): Child {
    let c = this.children.get(value);
    if (!c) {
      c = this.counter.labels(kind, String(value));
      this.children.set(value, c);
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
    this.inviteLatency = metrics.addedLatency.labels('invite');
    this.okLatency = metrics.addedLatency.labels('200');
  }
}
