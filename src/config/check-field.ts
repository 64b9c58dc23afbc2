/**
 * checkField: the one function that applies a rule of src/model/field-rules.ts to a value, for the config
 * readers and the TypeScript API alike (REST meets the same rules in its generated schemas, then here
 * through the service). It returns what was expected, or null when the value is good.
 */
import { isCidr } from '../model/cidr';
import type { FieldFormat, FieldRule } from '../model/field-rules';
import { parseTimeRange } from '../model/time-range';
import { parseHost } from './addresses';
import { parseSipServer } from './sip-target';
import { isTimeZone } from './time-ranges';

export interface FieldProblem {
  /** Where below the field: '' for the field itself, `[2]` for an item of a list. */
  readonly at: string;
  readonly expected: string;
  /** The value at fault (the item, for a list), for the error's `found`. */
  readonly value: unknown;
}

export function isHttpUrl(s: string): boolean {
  try {
    const url = new URL(s);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** The expected sentence when `s` is not of the format, else null (a SIP server says what is wrong). */
function formatProblem(format: FieldFormat, s: string): string | null {
  switch (format) {
    case 'sip-server': {
      const parsed = parseSipServer(s);
      return parsed.ok ? null : parsed.expected;
    }
    case 'host':
      return parseHost(s) === null ? '' : null;
    case 'time-zone':
      return isTimeZone(s) ? null : '';
    case 'http-url':
      return isHttpUrl(s) ? null : '';
    case 'cidr':
      return isCidr(s) ? null : '';
    case 'time-range':
      return parseTimeRange(s, '') === null ? '' : null;
  }
}

function scalarProblem(rule: Exclude<FieldRule, { kind: 'list' }>, v: unknown): string | null {
  switch (rule.kind) {
    case 'number': {
      const ok =
        typeof v === 'number' &&
        Number.isFinite(v) &&
        (!rule.integer || Number.isInteger(v)) &&
        (rule.min === undefined || v >= rule.min) &&
        (rule.above === undefined || v > rule.above) &&
        (rule.max === undefined || v <= rule.max);
      return ok ? null : rule.expected;
    }
    case 'boolean':
      return typeof v === 'boolean' ? null : rule.expected;
    case 'enum':
      return typeof v === 'string' && rule.values.includes(v) ? null : rule.expected;
    case 'string': {
      if (typeof v !== 'string' || v.trim() === '') return rule.expected;
      if (rule.maxLength !== undefined && v.length > rule.maxLength) return rule.expected;
      if (rule.pattern !== undefined && !rule.pattern.test(v)) return rule.expected;
      if (rule.format === undefined) return null;
      const wrong = formatProblem(rule.format, v);
      return wrong === null ? null : wrong || rule.expected;
    }
  }
}

/** The first problem of `v` under `rule`, or null. An absent value is the caller's to allow or require. */
export function checkField(rule: FieldRule, v: unknown): FieldProblem | null {
  if (rule.kind !== 'list') {
    const expected = scalarProblem(rule, v);
    return expected === null ? null : { at: '', expected, value: v };
  }
  if (
    !Array.isArray(v) ||
    (rule.minItems !== undefined && v.length < rule.minItems) ||
    (rule.maxItems !== undefined && v.length > rule.maxItems)
  ) {
    return { at: '', expected: rule.expected, value: v };
  }
  // A repeat is the list's fault, not an item's: the list's sentence, at the list (as REST's uniqueItems).
  if (rule.unique && new Set(v.map((x) => JSON.stringify(x))).size !== v.length) {
    return { at: '', expected: rule.expected, value: v };
  }
  for (let i = 0; i < v.length; i++) {
    const p = checkField(rule.items, v[i]);
    if (p) return { ...p, at: `[${i}]${p.at}` };
  }
  return null;
}
