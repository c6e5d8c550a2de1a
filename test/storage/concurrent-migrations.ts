import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sqlMigrations } from '../../src/storage/sql';

const worker = fileURLToPath(new URL('./fixtures/migrate-worker.ts', import.meta.url));
const root = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Starts four processes on one database, releases them at the same moment, and waits for each to migrate
 * and append one usage record. Rejects with the workers' stderr if any fails.
 */
export async function runConcurrentMigrations(options: { dialect: 'sqlite' | 'postgres' | 'mysql'; target: string; tablePrefix: string; workers?: number }) {
  const count = options.workers ?? 4;
  const children = Array.from({ length: count }, (_, index) =>
    spawn(process.execPath, ['--import', 'tsx', worker, options.dialect, options.target, options.tablePrefix, String(index)], {
      cwd: root,
      stdio: ['pipe', 'pipe', 'pipe'],
    }),
  );
  const outputs = children.map(() => ({ stdout: '', stderr: '' }));
  let readyCount = 0;
  const finished = children.map(
    (child, index) =>
      new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          outputs[index].stdout += chunk.toString();
          if (chunk.toString().includes('ready')) {
            readyCount += 1;
            if (readyCount === count) for (const each of children) each.stdin.write('go\n');
          }
        });
        child.stderr.on('data', (chunk: Buffer) => {
          outputs[index].stderr += chunk.toString();
        });
        child.on('error', reject);
        child.on('exit', (code) => {
          if (code === 0 && outputs[index].stdout.includes('done')) resolve();
          else reject(new Error(`migration worker ${index} exited with ${code}: ${outputs[index].stderr.slice(0, 2_000)}`));
        });
      }),
  );
  await Promise.all(finished);
  return { workers: count, expectedVersions: sqlMigrations.map((migration) => migration.version) };
}
