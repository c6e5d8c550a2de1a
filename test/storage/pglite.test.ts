import { PGlite } from '@electric-sql/pglite';
import { createSqlStorage, fromPglite } from '../../src/storage/sql';
import { describeStorageConformance } from './storage-conformance';

describeStorageConformance('pglite', async () => {
  const database = await PGlite.create();
  return { storage: createSqlStorage({ dialect: 'postgres', client: fromPglite(database) }), cleanup: () => database.close() };
});
