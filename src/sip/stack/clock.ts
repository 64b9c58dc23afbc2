/**
 * The stack's real clock: monotonic milliseconds and ONE timer, re-armed to the earliest deadline after
 * every input. A timer per transaction would put thousands of handles on the event loop for a busy proxy.
 */
export const now = (): number => performance.now();

/**
 * Deadlines are met to within this many ms: the timer fires at the end of the slot a deadline falls in, so
 * the transactions that end within one slot end in one firing. A busy proxy ends several transactions per
 * call 32 s after it (Timers J, K, L, M, D); one firing each cost more than the work they do. RFC 3261's
 * timers are not precise to 10 ms (T1 is 500 ms); Kamailio's tick is 1/16 s.
 */
export const TIMER_SLOT_MS = 10;

export class SingleTimer {
  private handle: NodeJS.Timeout | undefined;
  private armedAt: number | null = null;

  constructor(private readonly fire: () => void) {}

  /** Arms the timer for absolute time `at` (ms, `now()` scale) or the end of its slot, or disarms it (null). */
  arm(at: number | null): void {
    const slot = at === null ? null : Math.ceil(at / TIMER_SLOT_MS) * TIMER_SLOT_MS;
    if (slot === this.armedAt) return;
    if (this.handle) clearTimeout(this.handle);
    this.handle = undefined;
    this.armedAt = slot;
    if (slot === null) return;
    this.handle = setTimeout(
      () => {
        this.handle = undefined;
        this.armedAt = null;
        this.fire();
      },
      Math.max(0, slot - now()),
    );
  }

  cancel(): void {
    this.arm(null);
  }
}
