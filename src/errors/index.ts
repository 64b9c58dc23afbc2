import type { ErrorTable } from './catalogue';
import { ALERTS_ERRORS } from './alerts';
import { API_ERRORS } from './api';
import { AUTH_ERRORS } from './auth';
import { CHECK_ERRORS } from './checks';
import { CONFIG_ERRORS } from './config';
import { FAILOVER_ERRORS } from './failover';
import { GEO_ERRORS } from './geo';
import { HEALTH_ERRORS } from './health';
import { LIVE_ERRORS } from './live';
import { PROXY_ERRORS } from './proxy';
import { REGISTRATION_ERRORS } from './registration';
import { REPLICATION_ERRORS } from './replication';
import { ROUTING_ERRORS } from './routing';
import { SIP_ERRORS } from './sip';
import { STATE_ERRORS } from './state';
import { STORE_ERRORS } from './store';
import { TRANSACTION_ERRORS } from './transaction';
import { TRANSPORT_ERRORS } from './transport';

export { GeoredError, errorFactory, format, type ErrorSpec, type ErrorTable } from './catalogue';

/** Every error code geored has, in one table. */
export const ALL_ERRORS: ErrorTable = {
  ...SIP_ERRORS,
  ...AUTH_ERRORS,
  ...TRANSACTION_ERRORS,
  ...STATE_ERRORS,
  ...TRANSPORT_ERRORS,
  ...CONFIG_ERRORS,
  ...STORE_ERRORS,
  ...LIVE_ERRORS,
  ...HEALTH_ERRORS,
  ...CHECK_ERRORS,
  ...FAILOVER_ERRORS,
  ...GEO_ERRORS,
  ...ALERTS_ERRORS,
  ...ROUTING_ERRORS,
  ...PROXY_ERRORS,
  ...REGISTRATION_ERRORS,
  ...REPLICATION_ERRORS,
  ...API_ERRORS,
};
