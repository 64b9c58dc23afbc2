/**
 * One catalogue of error codes. Every error geored raises on purpose has a code here, with its message
 * template and the HTTP status (REST) or SIP status (the wire) it maps to. `docs/errors.md` documents each
 * one and test/errors/catalogue.test.ts keeps the two in step (fastify's lib/errors.js is the model).
 *
 * Each domain keeps its own table (src/errors/<domain>.ts) so the table sits beside the people who change
 * it; src/errors/index.ts gathers them into the one catalogue.
 */
export interface ErrorSpec {
  /** The message; `{name}` placeholders are filled from the error's params. */
  readonly message: string;
  /** HTTP status when the error reaches the REST API. */
  readonly http?: number;
  /** SIP status an element answers with when the error comes from a SIP message. */
  readonly sip?: number;
}

export type ErrorTable = Readonly<Record<string, ErrorSpec>>;

export class GeoredError extends Error {
  readonly code: string;
  readonly http: number | undefined;
  readonly sip: number | undefined;
  readonly params: Readonly<Record<string, unknown>>;

  constructor(code: string, spec: ErrorSpec, params: Record<string, unknown> = {}) {
    super(format(spec.message, params));
    this.name = 'GeoredError';
    this.code = code;
    this.http = spec.http;
    this.sip = spec.sip;
    this.params = params;
  }
}

export function format(template: string, params: Record<string, unknown>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) =>
    key in params ? String(params[key]) : whole,
  );
}

/** Builds a factory bound to one table: `const err = errorFactory(SIP_ERRORS); throw err('SIP_BAD_VIA', {...})`. */
export function errorFactory<T extends ErrorTable>(table: T) {
  return (code: keyof T & string, params: Record<string, unknown> = {}): GeoredError =>
    new GeoredError(code, table[code] as ErrorSpec, params);
}
