import type { ErrorTable } from './catalogue';
import { API_ERRORS } from './api';
import { CONFIG_ERRORS } from './config';
import { FAILOVER_ERRORS } from './failover';
import { HEALTH_ERRORS } from './health';
import { PROXY_ERRORS } from './proxy';
import { ROUTING_ERRORS } from './routing';
import { SIP_ERRORS } from './sip';
import { STORE_ERRORS } from './store';

export { GeoredError, errorFactory, format, type ErrorSpec, type ErrorTable } from './catalogue';

/** Every error code geored has, in one table. */
export const ALL_ERRORS: ErrorTable = {
  ...SIP_ERRORS,
  ...CONFIG_ERRORS,
  ...STORE_ERRORS,
  ...HEALTH_ERRORS,
  ...FAILOVER_ERRORS,
  ...ROUTING_ERRORS,
  ...PROXY_ERRORS,
  ...API_ERRORS,
};
