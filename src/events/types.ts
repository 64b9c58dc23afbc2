/** The event stream's values, and what a reader of the log (the SSE route) may use of it. */
export type StreamEventType =
  | 'health'
  | 'active_region'
  | 'failover'
  | 'call'
  | 'simulation'
  | 'scheduled_failover'
  | 'failback_pending'
  | 'settings'
  | 'all_down'
  | 'suppressed'
  | 'replication_lag';

export interface StreamEvent {
  readonly id: number;
  readonly type: StreamEventType;
  /** Always carries `time` (ISO 8601) and `type`, then the event's own fields. */
  readonly data: Readonly<Record<string, unknown>> & { readonly time: string; readonly type: string };
}

/** What a reader gets for "everything after N": the events, or `gap` when some were dropped from the ring. */
export type Replay =
  | { readonly kind: 'events'; readonly events: readonly StreamEvent[] }
  | { readonly kind: 'gap'; readonly oldest: number | null; readonly last: number };

export type StreamListener = (event: StreamEvent) => void;

/** What the SSE route reads of the event log: the newest id, a replay after an id, and new events. */
export interface EventFeed {
  readonly lastId: number;
  since(after: number): Replay;
  subscribe(listener: StreamListener): () => void;
}
