/**
 * The stack's real clock: monotonic milliseconds and ONE timer, re-armed to the earliest deadline after
 * every input. A timer per transaction would put thousands of handles on the event loop for a busy proxy.
 */
export const now = (): number => performance.now();

export class SingleTimer {
  private handle: NodeJS.Timeout | undefined;
  private armedAt: number | null = null;

  constructor(private readonly fire: () => void) {}

  /** Arms the timer for absolute time `at` (ms, `now()` scale), or disarms it when `at` is null. */
  arm(at: number | null): void {
    if (at === this.armedAt) return;
    if (this.handle) clearTimeout(this.handle);
    this.handle = undefined;
    this.armedAt = at;
    if (at === null) return;
    this.handle = setTimeout(
      () => {
        this.handle = undefined;
        this.armedAt = null;
        this.fire();
      },
      Math.max(0, at - now()),
    );
  }

  cancel(): void {
    this.arm(null);
  }
}
