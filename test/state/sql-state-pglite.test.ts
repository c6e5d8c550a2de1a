import { PGlite } from '@electric-sql/pglite';
import { createSqlState } from '../../src/state/sql';
import { describeStateStoreConformance } from './state-store-conformance';

describeStateStoreConformance('sql: postgres (PGlite)', {
  create: async () => {
    const database = new PGlite();
    return { store: createSqlState({ dialect: 'postgres', client: database }), close: () => database.close() };
  },
});
