import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const folder = mkdtempSync(join(tmpdir(), 'switchyard-example-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

function run(file: string): string {
  return execFileSync(process.execPath, ['--import', 'tsx', 'examples/sqlite-usage-report.ts', file], { encoding: 'utf8' });
}

describe('examples/sqlite-usage-report.ts', () => {
  it('keeps the ledger in the SQLite file across two runs and reports both', () => {
    const file = join(folder, 'usage.db');
    const first = run(file);
    expect(first).toContain('the ledger held 0 before');
    expect(first).toMatch(/total: 3 calls, \$0\.000720/);
    const second = run(file);
    expect(second).toContain('the ledger held 3 before');
    expect(second).toMatch(/cloud\s+mock-model\s+4\s+4800\s+1200\s+\$0\.001440/);
    expect(second).toMatch(/total: 6 calls, \$0\.001440/);
  });
});
