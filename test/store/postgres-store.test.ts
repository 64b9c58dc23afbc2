import { postgresDatabase } from './databases';
import { defineStoreContract } from './store-contract';

defineStoreContract('PostgreSQL', postgresDatabase);
