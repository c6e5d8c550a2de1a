// Runs examples/shared-limits.ts: two processes sharing one user's limits through Redis and PostgreSQL
// must be allowed exactly the user's limit between them, and the shared ledger must record exactly that.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const example = fileURLToPath(new URL('../../examples/shared-limits.ts', import.meta.url));
const redisUrl = process.env.SWITCHYARD_REDIS_URL;
const postgresUrl = process.env.SWITCHYARD_POSTGRES_URL;

function runExample(env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', example], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('examples/shared-limits.ts', () => {
  it('says what it needs and exits 0 when the servers are not configured', async () => {
    const { SWITCHYARD_REDIS_URL: _redis, SWITCHYARD_POSTGRES_URL: _postgres, ...rest } = process.env;
    const { code, stdout } = await runExample(rest);
    expect(code).toBe(0);
    expect(stdout).toMatch(/needs SWITCHYARD_REDIS_URL and SWITCHYARD_POSTGRES_URL/);
  });

  it.skipIf(!redisUrl || !postgresUrl)('two processes are allowed exactly the shared limit, and the ledger records exactly that', async () => {
    const { code, stdout, stderr } = await runExample(process.env);
    expect(stderr).not.toMatch(/Error/);
    expect(code).toBe(0);
    const perProcess = [...stdout.matchAll(/^process ([AB]): allowed (\d+) of 8/gm)].map((match) => Number(match[2]));
    expect(perProcess).toHaveLength(2);
    const limit = Number(/total allowed: (\d+) \(limit (\d+)\)/.exec(stdout)?.[2]);
    expect(limit).toBe(10);
    expect(perProcess[0]! + perProcess[1]!).toBe(limit);
    expect(Number(/total allowed: (\d+)/.exec(stdout)?.[1])).toBe(limit);
    expect(Number(/usage ledger in PostgreSQL: (\d+) calls/.exec(stdout)?.[1])).toBe(limit);
    // Every refusal names the user's hourly request window.
    for (const refusal of stdout.matchAll(/refused (.*)$/gm)) expect(refusal[1]).toMatch(/user:alice:requests-per-hour/);
  });
});
