/**
 * The live event stream (GET .../events/stream) read with fetch, because EventSource cannot send an
 * Authorization header and the token must not go in the URL. fetch-event-source resends Last-Event-ID
 * on every reconnect, so the server replays what this tab missed; a `resync` means reload over REST.
 */
import { fetchEventSource } from '@microsoft/fetch-event-source';
import { GEO, token } from './api';

export interface StreamMessage {
  id: number;
  type: string;
  data: Record<string, unknown>;
}

export interface StreamHandlers {
  onEvent(m: StreamMessage): void;
  onStatus(s: 'connecting' | 'live' | 'retrying'): void;
  /** Authentication failed: sign out. */
  onUnauthorized(): void;
}

class Unauthorized extends Error {}

export function openStream(h: StreamHandlers): () => void {
  const abort = new AbortController();
  h.onStatus('connecting');
  void fetchEventSource(`${GEO}/events/stream`, {
    signal: abort.signal,
    headers: { authorization: `Bearer ${token.get() ?? ''}` },
    openWhenHidden: true,
    async onopen(res) {
      if (res.status === 401 || res.status === 403) throw new Unauthorized();
      if (!res.ok) throw new Error(`stream answered ${res.status}`);
      h.onStatus('live');
    },
    onmessage(m) {
      if (!m.event) return;
      let data: Record<string, unknown>;
      try {
        data = JSON.parse(m.data) as Record<string, unknown>;
      } catch {
        return;
      }
      h.onEvent({ id: Number(m.id), type: m.event, data });
    },
    onclose() {
      h.onStatus('retrying');
      throw new Error('closed'); // retry
    },
    onerror(err) {
      if (err instanceof Unauthorized) {
        h.onUnauthorized();
        throw err; // stop
      }
      h.onStatus('retrying');
      return 1000;
    },
  }).catch(() => undefined);
  return () => abort.abort();
}
