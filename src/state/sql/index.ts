export { createSqlState, type SqlStateOptions } from './sql-state';
export {
  toSqlClient,
  type BetterSqlite3DatabaseSlice,
  type Mysql2PoolSlice,
  type PGliteSlice,
  type PgPoolSlice,
  type SqlStateClient,
} from './sql-state-drivers';
export type { StateSqlDialect, StateTableDefinition } from './sql-state-dialect';
export { postgresStateDialect } from './sql-state-postgres-dialect';
export { sqliteStateDialect } from './sql-state-sqlite-dialect';
export { mysqlStateDialect } from './sql-state-mysql-dialect';
export { migrateStateSchema, stateMigrations } from './sql-state-migrations';
