import type { ErrorTable } from './catalogue';

/** Error codes of the proxy domain. Codes start with PROXY_; document each in docs/errors.md. */
export const PROXY_ERRORS = {} as const satisfies ErrorTable;
