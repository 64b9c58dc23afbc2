import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ALL_ERRORS, GeoredError, errorFactory, format } from '../../src/errors';

/** Rows of docs/errors.md: `| CODE | HTTP | SIP | message |`. */
function documentedErrors(): Map<string, { http: string; sip: string; message: string }> {
  const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
  const rows = new Map<string, { http: string; sip: string; message: string }>();
  for (const line of doc.split('\n')) {
    const m = /^\|\s*`([A-Z0-9_]+)`\s*\|\s*([^|]*?)\s*\|\s*([^|]*?)\s*\|\s*(.*?)\s*\|\s*$/.exec(line);
    if (m) rows.set(m[1]!, { http: m[2]!, sip: m[3]!, message: m[4]!.replace(/\\\|/g, '|') });
  }
  return rows;
}

describe('error catalogue', () => {
  const documented = documentedErrors();

  it('documents every code with its message and statuses', () => {
    for (const [code, spec] of Object.entries(ALL_ERRORS)) {
      const row = documented.get(code);
      expect(row, `${code} is missing from docs/errors.md`).toBeDefined();
      expect(row!.message, `${code}: message differs from docs/errors.md`).toBe('`' + spec.message + '`');
      expect(row!.http, `${code}: HTTP status differs`).toBe(
        spec.http === undefined ? '' : String(spec.http),
      );
      expect(row!.sip, `${code}: SIP status differs`).toBe(spec.sip === undefined ? '' : String(spec.sip));
    }
  });

  it('documents no code that does not exist', () => {
    const stale = [...documented.keys()].filter((code) => !(code in ALL_ERRORS));
    expect(stale).toEqual([]);
  });

  it('gives every code a domain prefix and a non-empty message', () => {
    for (const [code, spec] of Object.entries(ALL_ERRORS)) {
      expect(code).toMatch(/^[A-Z]+_[A-Z0-9_]+$/);
      expect(spec.message.length).toBeGreaterThan(0);
      if (spec.http !== undefined) expect(spec.http).toBeGreaterThanOrEqual(400);
      if (spec.sip !== undefined) expect(spec.sip).toBeGreaterThanOrEqual(400);
    }
  });

  it('fills placeholders and keeps code and statuses on the error', () => {
    const err = errorFactory({ DEMO_THING: { message: 'bad {field}: {why}', http: 400, sip: 488 } })(
      'DEMO_THING',
      { field: 'priority', why: 'must be an integer' },
    );
    expect(err).toBeInstanceOf(GeoredError);
    expect(err.message).toBe('bad priority: must be an integer');
    expect([err.code, err.http, err.sip]).toEqual(['DEMO_THING', 400, 488]);
    expect(format('left {missing} alone', {})).toBe('left {missing} alone');
  });
});
