import { EventEmitter } from 'node:events';
import type { LeaderEvent, LeaderHandle } from './types';

/**
 * Leadership with nobody to share it with: a single instance is always the leader. `elected` is emitted
 * on the next tick so a listener attached right after runForLeader() still hears it.
 */
export class SoleLeader extends EventEmitter implements LeaderHandle {
  private leader = true;

  constructor(
    readonly name: string,
    private readonly onEnd: (handle: SoleLeader) => void,
  ) {
    super();
    setImmediate(() => {
      if (this.leader) this.emit('elected');
    });
  }

  get isLeader(): boolean {
    return this.leader;
  }

  override on(event: LeaderEvent, listener: () => void): this {
    return super.on(event, listener);
  }

  override off(event: LeaderEvent, listener: () => void): this {
    return super.off(event, listener);
  }

  async release(): Promise<void> {
    if (!this.leader) return;
    this.leader = false;
    this.onEnd(this);
    this.emit('lost');
  }
}
