/**
 * What keeps an instance from serving, for GET /readyz: empty when ready. The store is asked (a read bounded
 * by `timeoutMs`), and live state must be connected when it is Redis: without either, failover decisions,
 * records and settings cannot be kept, so an orchestrator should not send traffic here.
 */
import type { LiveState } from '../live/types';
import type { Store } from '../store/types';
import type { ServiceState } from './context';
import { SETTINGS_KEY } from './settings';

export async function readinessProblems(
  state: ServiceState,
  store: Pick<Store, 'kvGet' | 'url'>,
  live: Pick<LiveState, 'status'>,
  timeoutMs: number,
): Promise<string[]> {
  const problems: string[] = [];
  if (state !== 'running') problems.push(`the geographic redundancy service is ${state}`);
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      store.kvGet(SETTINGS_KEY),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } catch (err) {
    problems.push(`the store (${store.url}) does not answer: ${(err as Error).message}`);
  } finally {
    clearTimeout(timer);
  }
  const status = live.status();
  if (status.backend === 'redis' && !status.connected) {
    problems.push(`live state (Redis) is not connected since ${new Date(status.since).toISOString()}`);
  }
  return problems;
}
