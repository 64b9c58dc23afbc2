import type { ErrorTable } from './catalogue';

/**
 * Error codes of the config domain. Codes start with CONFIG_; document each in docs/errors.md.
 *
 * CONFIG_INVALID and CONFIG_UNREADABLE are thrown (as a ConfigError); the others are the codes of the
 * individual problems a ConfigError carries, so tools can tell problems apart without parsing text.
 * Secret values never appear in any of these messages.
 */
export const CONFIG_ERRORS = {
  CONFIG_INVALID: { message: '{source}: {count} configuration problem(s):{problems}' },
  CONFIG_UNREADABLE: { message: 'cannot read config file {path}: {reason}' },
  CONFIG_YAML_SYNTAX: { message: 'YAML syntax error: {detail}' },
  CONFIG_UNKNOWN_KEY: { message: "unknown key '{key}': {hint}" },
  CONFIG_WRONG_VALUE: { message: 'found {found}, expected {expected}' },
  CONFIG_MISSING: { message: 'found nothing, expected {expected}' },
  CONFIG_DUPLICATE: { message: 'found {what} {value} again (first at {first}), expected each {what} once' },
  CONFIG_CONFLICT: {
    message: 'found {found}, which disagrees with {other_path} ({other}); expected them to agree',
  },
  CONFIG_UNKNOWN_REGION: {
    message: "found region '{region}', expected one of the configured regions ({known})",
  },
  CONFIG_LITERAL_SECRET: {
    message:
      'found a literal secret (value not shown), expected env:VAR or file:PATH so the secret stays out of the file',
  },
  CONFIG_SECRET_ENV_UNSET: { message: 'found {ref}, but environment variable {var} is not set or empty' },
  CONFIG_SECRET_FILE_UNREADABLE: { message: 'found {ref}, but cannot read {path}: {reason}' },
} as const satisfies ErrorTable;

export type ConfigErrorCode = keyof typeof CONFIG_ERRORS;
