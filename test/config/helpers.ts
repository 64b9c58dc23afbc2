import { stringify } from 'yaml';
import { expect } from 'vitest';
import { ConfigError, parseConfig, type ConfigProblem } from '../../src/config';

export const SOURCE = 'test.yml';

/** The problems parseConfig reports for a document (fails the test when it accepts it). */
export function problemsOf(text: string, env: NodeJS.ProcessEnv = {}): readonly ConfigProblem[] {
  try {
    parseConfig(text, SOURCE, env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).problems;
  }
  throw new Error(`expected problems, but the document was accepted:\n${text}`);
}

export function errorOf(text: string, env: NodeJS.ProcessEnv = {}): ConfigError {
  try {
    parseConfig(text, SOURCE, env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

export function region(
  name: string,
  priority: number,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return { name, priority, trunk_id: `trunk-${name}`, sip_server: `sip.${name}.example.com`, ...extra };
}

/** A YAML document with a geographic_redundancy block (plus optional top-level blocks). */
export function geoDoc(geo: Record<string, unknown>, top: Record<string, unknown> = {}): string {
  return stringify({ features: { geographic_redundancy: geo }, ...top });
}
