export { openStore, type OpenStoreOptions } from './open';
export { redactUrl, parseStoreUrl, type StoreLocation } from './url';
export { LATEST_SCHEMA_VERSION } from './migrations';
export type * from './types';
