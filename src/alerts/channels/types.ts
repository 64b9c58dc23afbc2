/** A channel's delivery of one alert to one target. */
import type { AlertChannel } from '../../store/types';
import type { Alert } from '../types';

export interface Delivery {
  readonly channel: AlertChannel;
  /** Who it goes to, safe to show: an address, a number, a URL without credentials, "events API". */
  readonly target: string;
  /** One attempt; throws with a one-line reason. `attempt` starts at 1. */
  send(alert: Alert, attempt: number): Promise<void>;
}
