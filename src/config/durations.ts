/** Number rules shared by the readers: durations are seconds and may be fractional. */
import type { NumberRule } from './yaml-reader';

export const POSITIVE_SECONDS: NumberRule = {
  expected: 'a duration in seconds > 0 (fractions allowed, e.g. 0.5)',
  above: 0,
};

export const NON_NEGATIVE_SECONDS: NumberRule = {
  expected: 'a duration in seconds >= 0 (fractions allowed, e.g. 0.5)',
  min: 0,
};

export function integerAtLeast(min: number): NumberRule {
  return { expected: `an integer >= ${min}`, integer: true, min };
}

export const FRACTION: NumberRule = { expected: 'a number from 0 to 1', min: 0, max: 1 };
