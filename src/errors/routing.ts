import type { ErrorTable } from './catalogue';

/** Error codes of the routing domain. Codes start with ROUTING_; document each in docs/errors.md. */
export const ROUTING_ERRORS = {} as const satisfies ErrorTable;
