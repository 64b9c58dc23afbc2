import type { Logger } from 'pino';
import type { LiveSignal, LiveSignalListener } from './types';

/** Who hears signals from other instances, and how many this instance failed to send. */
export class SignalHub {
  private readonly listeners = new Set<LiveSignalListener>();
  dropped = 0;

  constructor(private readonly logger: Logger) {}

  on(listener: LiveSignalListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  deliver(signal: LiveSignal): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(signal);
      } catch (err) {
        // One faulty listener must not keep a signal from the others.
        this.logger.error({ err, signal: signal.kind }, 'live state: a signal listener threw');
      }
    }
  }
}
