import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { createUsageWriter } from '../../src/governance/usage-recorder';
import type { Storage } from '../../src/spec/storage';
import { createSqlStorage, fromBetterSqlite3, fromPg } from '../../src/storage/sql/index';
import { usageColumns, usageToParams } from '../../src/storage/sql/sql-row-mapping';
import { interleaved, measured, median, notMeasured, type BenchContext, type BenchResult } from './harness';
import { usageRecords } from './usage-records';

const batchSize = 1000;

/** Rows/s of the ledger path: createUsageWriter (batch 1000) over the SQL storage adapter, until close() has written all. */
async function writerRowsPerSecond(storage: Storage, rows: number, tag: string): Promise<number> {
  const records = usageRecords(rows, tag);
  const writer = createUsageWriter({ sink: storage, batchSize, maxBufferedRecords: rows * 2 });
  const startedAt = performance.now();
  for (const record of records) writer.enqueue(record);
  await writer.close({ timeoutMs: 120_000 });
  const seconds = (performance.now() - startedAt) / 1000;
  if (writer.stats().written !== rows) throw new Error(`writer wrote ${writer.stats().written} of ${rows}`);
  return rows / seconds;
}

/** The rows as the raw driver would be given them (prepared before timing, as a bulk loader would have them). */
function rawRows(rows: number, tag: string) {
  return usageRecords(rows, tag).map(usageToParams);
}

async function runSqlite(quick: boolean): Promise<BenchResult> {
  const directory = mkdtempSync(join(tmpdir(), 'switchyard-bench-'));
  const database = new Database(join(directory, 'ledger.db'));
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  try {
    const storage = createSqlStorage({ dialect: 'sqlite', client: fromBetterSqlite3(database), tablePrefix: 'ledger_' });
    // The baseline table comes from the same migrations, so schema and indexes are identical.
    const baselineTables = createSqlStorage({ dialect: 'sqlite', client: fromBetterSqlite3(database), tablePrefix: 'raw_' });
    const multiRowTables = createSqlStorage({ dialect: 'sqlite', client: fromBetterSqlite3(database), tablePrefix: 'rawmulti_' });
    await storage.migrate();
    await baselineTables.migrate();
    await multiRowTables.migrate();
    const rowPlaceholders = `(${usageColumns.map(() => '?').join(', ')})`;
    const insert = database.prepare(`INSERT INTO raw_usage (${usageColumns.join(', ')}) VALUES ${rowPlaceholders} ON CONFLICT DO NOTHING`);
    const insertBatch = database.transaction((batch: unknown[][]) => {
      for (const row of batch) insert.run(row);
    });
    // The other bulk form: one multi-row VALUES statement per batch (21,000 parameters, under SQLite's 32,766).
    const insertMany = database.prepare(
      `INSERT INTO rawmulti_usage (${usageColumns.join(', ')}) VALUES ${new Array<string>(batchSize).fill(rowPlaceholders).join(', ')} ON CONFLICT DO NOTHING`,
    );
    const insertManyBatch = database.transaction((batch: unknown[][]) => {
      const params = new Array<unknown>(batch.length * usageColumns.length);
      let offset = 0;
      for (const row of batch) for (const value of row) params[offset++] = value;
      insertMany.run(params);
    });
    const rows = quick ? 20_000 : 100_000;
    let round = 0;
    const rawVariant = (insertRows: (batch: unknown[][]) => void) => async () => {
      const prepared = rawRows(rows, `sqlite-raw-${round++}`);
      const startedAt = performance.now();
      for (let start = 0; start < prepared.length; start += batchSize) insertRows(prepared.slice(start, start + batchSize));
      return rows / ((performance.now() - startedAt) / 1000);
    };
    const variants = {
      ledger: () => writerRowsPerSecond(storage, rows, `sqlite-${round++}`),
      raw: rawVariant(insertBatch),
      rawMultiRow: rawVariant(insertManyBatch),
    };
    const perRound = await interleaved(quick ? 2 : 3, variants);
    const ledger = median(perRound.ledger);
    const singleRow = median(perRound.raw);
    const multiRow = median(perRound.rawMultiRow);
    // The baseline is whichever raw form was faster in this run, so the comparison never flatters the ledger.
    const raw = Math.max(singleRow, multiRow);
    return measured({
      name: 'ledger rows/s to SQLite (better-sqlite3)', value: ledger, unit: 'rows/s', baseline: raw, target: '>= 200k/s',
      meets: (value) => value >= 200_000,
      note: `createUsageWriter(batch ${batchSize}) → createSqlStorage(sqlite).appendUsage, ${rows} rows per round, file DB in WAL, synchronous=NORMAL; baseline = the faster better-sqlite3 bulk form into an identical table, in a transaction per ${batchSize} rows: prepared single-row INSERT per row ${Math.round(singleRow).toLocaleString('en-US')} rows/s, one ${batchSize}-row INSERT ... VALUES ${Math.round(multiRow).toLocaleString('en-US')} rows/s`,
    });
  } finally {
    database.close();
    rmSync(directory, { recursive: true, force: true });
  }
}

async function runPostgres(url: string, quick: boolean): Promise<BenchResult> {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  const ledgerPrefix = `bench_l${process.pid}_`;
  const rawPrefix = `bench_r${process.pid}_`;
  try {
    const storage = createSqlStorage({ dialect: 'postgres', client: fromPg(pool), tablePrefix: ledgerPrefix });
    const baselineTables = createSqlStorage({ dialect: 'postgres', client: fromPg(pool), tablePrefix: rawPrefix });
    await storage.migrate();
    await baselineTables.migrate();
    const placeholders = (rowCount: number) =>
      Array.from({ length: rowCount }, (_, row) => `(${usageColumns.map((_, column) => `$${row * usageColumns.length + column + 1}`).join(', ')})`).join(', ');
    const rows = quick ? 10_000 : 50_000;
    let round = 0;
    const variants = {
      ledger: () => writerRowsPerSecond(storage, rows, `pg-${round++}`),
      raw: async () => {
        const prepared = rawRows(rows, `pg-raw-${round++}`);
        const statement = `INSERT INTO ${rawPrefix}usage (${usageColumns.join(', ')}) VALUES ${placeholders(batchSize)} ON CONFLICT DO NOTHING`;
        const startedAt = performance.now();
        for (let start = 0; start < prepared.length; start += batchSize) {
          const batch = prepared.slice(start, start + batchSize);
          const text = batch.length === batchSize ? statement : `INSERT INTO ${rawPrefix}usage (${usageColumns.join(', ')}) VALUES ${placeholders(batch.length)} ON CONFLICT DO NOTHING`;
          await pool.query(text, batch.flat());
        }
        return rows / ((performance.now() - startedAt) / 1000);
      },
    };
    const perRound = await interleaved(quick ? 2 : 3, variants);
    const ledger = median(perRound.ledger);
    const raw = median(perRound.raw);
    return measured({
      name: 'ledger rows/s to PostgreSQL (pg)', value: ledger, unit: 'rows/s', baseline: raw, target: '>= 40k/s',
      meets: (value) => value >= 40_000,
      note: `createUsageWriter(batch ${batchSize}) → createSqlStorage(postgres, fromPg(pool)).appendUsage, ${rows} rows per round; baseline = pg multi-row INSERT of ${batchSize} rows per statement into an identical table`,
    });
  } finally {
    const tables = await pool.query(`SELECT tablename FROM pg_tables WHERE tablename LIKE $1 OR tablename LIKE $2`, [`${ledgerPrefix}%`, `${rawPrefix}%`]);
    for (const { tablename } of tables.rows as Array<{ tablename: string }>) await pool.query(`DROP TABLE IF EXISTS "${tablename}" CASCADE`);
    await pool.end();
  }
}

/** Ledger rows/s to SQLite and PostgreSQL through the usage writer and the SQL storage adapter, vs the raw driver. */
export async function runLedgerStorage(context: BenchContext): Promise<BenchResult[]> {
  const results = [await runSqlite(context.quick)];
  const postgresUrl = process.env.SWITCHYARD_POSTGRES_URL;
  results.push(
    postgresUrl
      ? await runPostgres(postgresUrl, context.quick)
      : notMeasured('ledger rows/s to PostgreSQL (pg)', 'rows/s', '>= 40k/s', 'SWITCHYARD_POSTGRES_URL is not set'),
  );
  return results;
}
