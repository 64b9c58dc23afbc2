/**
 * Checks on what callers hand the store, run before anything is written so a bad row in a batch writes
 * nothing. Lengths follow the schema's VARCHAR sizes: PostgreSQL enforces them and SQLite does not, and
 * both must reject the same rows with the same typed error.
 */
import { errorFactory } from '../errors/catalogue';
import { STORE_ERRORS } from '../errors/store';
import type { Timestamp } from './types';

const storeError = errorFactory(STORE_ERRORS);

const INT32_MAX = 2_147_483_647;

export function invalid(table: string, field: string, problem: string): Error {
  return storeError('STORE_INVALID_ROW', { table, field, problem });
}

export function text(table: string, field: string, v: unknown, max?: number): string {
  if (typeof v !== 'string' || v.length === 0) throw invalid(table, field, 'must be a non-empty string');
  if (max !== undefined && v.length > max) throw invalid(table, field, `must be at most ${max} characters`);
  return v;
}

export function optionalText(table: string, field: string, v: unknown, max?: number): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw invalid(table, field, 'must be a string or null');
  if (max !== undefined && v.length > max) throw invalid(table, field, `must be at most ${max} characters`);
  return v;
}

export function int32(table: string, field: string, v: unknown, min = -INT32_MAX - 1): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > INT32_MAX) {
    throw invalid(table, field, `must be an integer from ${min} to ${INT32_MAX}`);
  }
  return v;
}

export function optionalInt32(table: string, field: string, v: unknown, min?: number): number | null {
  return v === undefined || v === null ? null : int32(table, field, v, min);
}

export function bool(table: string, field: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw invalid(table, field, 'must be true or false');
  return v;
}

export function oneOf<T extends string>(table: string, field: string, v: unknown, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw invalid(table, field, `must be one of ${allowed.join(', ')}`);
  }
  return v as T;
}

/** Positive and finite: durations in seconds may be fractional. */
export function positiveNumber(table: string, field: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)
    throw invalid(table, field, 'must be a positive number');
  return v;
}

export function nonNegativeInt(table: string, field: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw invalid(table, field, 'must be a non-negative integer');
  }
  return v;
}

/**
 * ISO-8601 in the one shape toISOString gives (UTC, milliseconds, Z): SQLite compares timestamps as text,
 * which orders correctly only when every one has the same shape.
 */
export function timestamp(table: string, field: string, v: unknown): string {
  const ms = v instanceof Date ? v.getTime() : typeof v === 'string' && v.length > 0 ? Date.parse(v) : NaN;
  if (!Number.isFinite(ms)) throw invalid(table, field, 'must be an ISO-8601 timestamp or a Date');
  const iso = new Date(ms).toISOString();
  // Years past 9999 come out as ±YYYYYY and would sort wrongly as text; PostgreSQL has no year 0.
  if (iso.length !== 24 || iso.startsWith('0000')) {
    throw invalid(table, field, 'must be between the years 0001 and 9999');
  }
  return iso;
}

export function optionalTimestamp(
  table: string,
  field: string,
  v: Timestamp | null | undefined,
): string | null {
  return v === undefined || v === null ? null : timestamp(table, field, v);
}

export function plainObject(table: string, field: string, v: unknown): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw invalid(table, field, 'must be an object');
  jsonValue(table, field, v);
  return v as Record<string, unknown>;
}

/** A value that survives JSON unchanged in meaning: no functions, cycles, NaN or undefined in arrays. */
export function jsonValue(table: string, field: string, v: unknown): void {
  let textForm: string | undefined;
  try {
    textForm = JSON.stringify(v);
  } catch {
    throw invalid(table, field, 'must be JSON-serialisable');
  }
  if (textForm === undefined) throw invalid(table, field, 'must be JSON-serialisable');
}

export function stringList(table: string, field: string, v: unknown, maxItem?: number): string[] {
  if (!Array.isArray(v)) throw invalid(table, field, 'must be an array of strings');
  return v.map((item, i) => text(table, `${field}[${i}]`, item, maxItem));
}
