/**
 * Number rules of the settings only config.yml has (server, proxy, custom checks); the settings other paths
 * accept too have their rules in src/model/field-rules.ts. Durations are seconds and may be fractional.
 */
import type { NumberRule } from './yaml-reader';

export const POSITIVE_SECONDS: NumberRule = {
  expected: 'a duration in seconds > 0 (fractions allowed, e.g. 0.5)',
  above: 0,
};

export function integerAtLeast(min: number): NumberRule {
  return { expected: `an integer >= ${min}`, integer: true, min };
}
