/**
 * Waits until `condition` holds, checking often; fails with `what` after `timeoutMs`. Returns how long it
 * took, which tests report but never assert on (the machine is shared and loaded).
 */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<number> {
  const start = performance.now();
  while (!condition()) {
    if (performance.now() - start > timeoutMs)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
  return performance.now() - start;
}

/** Resolves when `register` calls its callback; fails after `timeoutMs`. */
export async function waitForEvent(
  register: (done: () => void) => void,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)),
      timeoutMs,
    );
    register(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
