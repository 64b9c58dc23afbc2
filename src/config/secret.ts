/**
 * Secrets named as `env:VAR` or `file:PATH`. The value lives in a private field behind a getter, so
 * JSON.stringify (what pino does), util.inspect and object spreads of a config never carry it.
 */
import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import type { ConfigErrorCode } from '../errors/config';
import { REDACTED } from './redact-url';
import type { SecretRef } from './types';

export class Secret implements SecretRef {
  readonly #value: string;

  constructor(
    readonly source: string,
    value: string,
  ) {
    this.#value = value;
  }

  get value(): string {
    return this.#value;
  }

  toJSON(): { source: string; value: string } {
    return { source: this.source, value: REDACTED };
  }

  toString(): string {
    return `[secret ${this.source}]`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

export type SecretResult =
  | { readonly ok: true; readonly secret: Secret }
  | { readonly ok: false; readonly code: ConfigErrorCode; readonly params: Record<string, unknown> };

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Reads the secret a reference names. Failures name the variable or path (safe to print) and never the
 * value; a literal (anything not env:/file:) is refused without being echoed.
 */
export function resolveSecret(text: string, env: NodeJS.ProcessEnv): SecretResult {
  if (text.startsWith('env:')) {
    const name = text.slice(4);
    if (!ENV_NAME.test(name)) {
      return {
        ok: false,
        code: 'CONFIG_WRONG_VALUE',
        params: { found: JSON.stringify(text), expected: 'env:VAR with VAR a variable name' },
      };
    }
    const value = env[name]?.trim();
    if (!value) return { ok: false, code: 'CONFIG_SECRET_ENV_UNSET', params: { ref: text, var: name } };
    return { ok: true, secret: new Secret(text, value) };
  }
  if (text.startsWith('file:')) {
    const path = text.slice(5);
    if (path === '') {
      return {
        ok: false,
        code: 'CONFIG_WRONG_VALUE',
        params: { found: JSON.stringify(text), expected: 'file:PATH with a path' },
      };
    }
    let value: string;
    try {
      value = readFileSync(path, 'utf8').trim();
    } catch (e) {
      const reason = (e as NodeJS.ErrnoException).code ?? 'read failed';
      return { ok: false, code: 'CONFIG_SECRET_FILE_UNREADABLE', params: { ref: text, path, reason } };
    }
    if (value === '')
      return {
        ok: false,
        code: 'CONFIG_SECRET_FILE_UNREADABLE',
        params: { ref: text, path, reason: 'the file is empty' },
      };
    return { ok: true, secret: new Secret(text, value) };
  }
  return { ok: false, code: 'CONFIG_LITERAL_SECRET', params: {} };
}
