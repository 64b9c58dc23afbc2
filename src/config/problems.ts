/**
 * Problems found in a configuration, and the one error that carries all of them: an operator fixing a
 * file wants every mistake in one go, not one per restart.
 */
import { GeoredError, format } from '../errors/catalogue';
import { CONFIG_ERRORS, type ConfigErrorCode } from '../errors/config';

export interface ConfigProblem {
  readonly code: ConfigErrorCode;
  /** Where in the document, e.g. `features.geographic_redundancy.regions[1].priority` ('' for the whole file). */
  readonly path: string;
  readonly message: string;
  /** 1-based, when the YAML parser knows where the value is. */
  readonly line?: number;
  readonly column?: number;
}

/** `FILE:LINE:COL: PATH: MESSAGE`, the form editors and CI logs link to. */
export function formatProblem(source: string, p: ConfigProblem): string {
  const where = p.line === undefined ? source : `${source}:${p.line}:${p.column ?? 1}`;
  return p.path === '' ? `${where}: ${p.message}` : `${where}: ${p.path}: ${p.message}`;
}

export class ConfigError extends GeoredError {
  readonly source: string;
  readonly problems: readonly ConfigProblem[];

  constructor(
    source: string,
    problems: readonly ConfigProblem[],
    code: 'CONFIG_INVALID' | 'CONFIG_UNREADABLE' = 'CONFIG_INVALID',
    params: Record<string, unknown> = {},
  ) {
    super(code, CONFIG_ERRORS[code], {
      source,
      count: problems.length,
      problems: problems.map((p) => `\n  ${formatProblem(source, p)}`).join(''),
      ...params,
    });
    this.name = 'ConfigError';
    this.source = source;
    this.problems = problems;
  }
}

/** A problem's message from its code's template in the catalogue. */
export function problemMessage(code: ConfigErrorCode, params: Record<string, unknown>): string {
  return format(CONFIG_ERRORS[code].message, params);
}
