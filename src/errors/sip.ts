import type { ErrorTable } from './catalogue';

/** Error codes of the sip domain. Codes start with SIP_; document each in docs/errors.md. */
export const SIP_ERRORS = {} as const satisfies ErrorTable;
