/** The configuration: load and validate config.yml, the embedded defaults, and a view safe to print. */
export { defaultConfig, loadConfig, parseConfig } from './load';
export { ConfigError, formatProblem, type ConfigProblem } from './problems';
export { redactConfig } from './redact';
export { formatListen } from './addresses';
export { rangeCovers } from './time-ranges';
export { API_TOKEN_ENV, EMBEDDED_SOURCE } from './defaults';
export type * from './types';
