import type { ProxyLimits } from './types';

export const DEFAULT_LIMITS: ProxyLimits = {
  maxDialogs: 100_000,
  // Longer than any sane call: a dialog whose BYE was lost must not pin memory for ever.
  dialogIdleMs: 4 * 3600_000,
  recordFlushMs: 500,
  recordBatch: 200,
  maxCallRows: 100_000,
};
