import type { ErrorTable } from './catalogue';

/** Error codes of the api domain. Codes start with API_; document each in docs/errors.md. */
export const API_ERRORS = {} as const satisfies ErrorTable;
