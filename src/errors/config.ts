import type { ErrorTable } from './catalogue';

/** Error codes of the config domain. Codes start with CONFIG_; document each in docs/errors.md. */
export const CONFIG_ERRORS = {} as const satisfies ErrorTable;
