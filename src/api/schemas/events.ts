/** Schemas of GET .../events/stream (server-sent events). */
import { Type, type Static } from '@sinclair/typebox';

export const StreamQuery = Type.Object(
  {
    since: Type.Optional(
      Type.Integer({
        minimum: 0,
        description:
          'Replay the events after this sequence number (as the Last-Event-ID header does; the header wins)',
      }),
    ),
  },
  { additionalProperties: false },
);
export type StreamQuery = Static<typeof StreamQuery>;

export const STREAM_DESCRIPTION = [
  'Server-sent events (text/event-stream): one event per change, as `id: <sequence number>`,',
  '`event: <type>`, `data: <one JSON object>`. Types: health (region, from, to, reason), active_region',
  '(from, to, reason, automatic: null when another instance switched), failover (a row as in',
  'GET /failover-history), call (a record as in GET /api/calls), simulation (region, until, running),',
  'scheduled_failover (action: created|cancelled|started|completed, and the schedule), failback_pending,',
  'settings (changed: the patch), all_down, suppressed, replication_lag (lagging: true when a region',
  'crossed data_replication.lag_alert_seconds or lag_alert_bytes, false when back under both;',
  'publisher, subscriber, lag_seconds, lag_bytes, the thresholds, reason). Every data object carries `time` (ISO 8601)',
  'and `type`. Sequence numbers rise by 1; reconnect with `Last-Event-ID` (or `?since=N`) to replay',
  'what was missed from a ring of the last 1000 events. When the gap cannot be replayed (older than the',
  'ring, or the server restarted) the stream starts with a `resync` event (data: oldest, last): reload',
  'the state over REST. A `: keepalive` comment is sent every 15 s. Try `curl -N -H "Authorization:',
  'Bearer $TOKEN" .../events/stream`.',
].join(' ');
