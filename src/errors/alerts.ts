import type { ErrorTable } from './catalogue';

/** Error codes of alerts (src/alerts): settings given through the API. Codes start with ALERTS_. */
export const ALERTS_ERRORS = {
  ALERTS_BAD_SETTING: { message: 'alerts {field}: found {found}, expected {expected}', http: 400 },
} as const satisfies ErrorTable;
