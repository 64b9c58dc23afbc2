/**
 * The time source of the probe monitor. Injected so tests drive the whole schedule in virtual time (a
 * manual clock, or vitest's fake timers through the globals), while production uses the real one.
 */
export interface MonitorClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: MonitorClock = {
  now: () => Date.now(),
  // Looked up at call time, not bound once, so vitest's fake timers replace them when a test asks.
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
