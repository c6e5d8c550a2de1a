// Runs examples/byok-multi-tenant.ts as a user would: alice's own key and the host's managed key must each
// reach the (loopback) upstream for the right user, be booked as byok / managed, and never be printed or
// stored in plain text. A second run against the same database with another master key must refuse to start.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const aliceKey = 'sk-proj-alice-0123456789abcdefghijklmnopqrstuv';
const managedKey = 'sk-proj-host-managed-9876543210zyxwvutsrqponm';
const folder = mkdtempSync(join(tmpdir(), 'switchyard-byok-test-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

function runExample(file: string, masterKey: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'examples/byok-multi-tenant.ts', file], {
      env: { ...process.env, SWITCHYARD_MASTER_KEY: masterKey },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('examples/byok-multi-tenant.ts', () => {
  const file = join(folder, 'tenants.db');

  it("sends alice's own key for alice and the managed key for bob, books them as byok and managed, and prints only masks", async () => {
    const { code, stdout, stderr } = await runExample(file, randomBytes(32).toString('hex'));
    expect(stderr).not.toMatch(/Error/);
    expect(code).toBe(0);
    expect(stdout).toContain('master key: from SWITCHYARD_MASTER_KEY');
    expect(stdout).toContain('alice stored her key: sk-pr...tuv (byok)');
    expect(stdout).toContain('keys of alice: openai sk-pr...tuv personal');
    expect(stdout).toContain('keys of bob: none');
    // Whose key went on the wire, in call order: alice's, then the host's.
    const wire = [...stdout.matchAll(/Authorization Bearer (\S+)/g)].map((match) => match[1]);
    expect(wire).toEqual(['sk-pr...tuv', 'sk-pr...onm']);
    expect(stdout).toMatch(/alice: "Answer number 1\." — key source byok, cost \$0\.000450/);
    // gpt-4o-mini: 1,000 × $0.15/M + 500 × $0.60/M = $0.000450; bob pays the 20 % markup on the managed key.
    expect(stdout).toMatch(/bob: "Answer number 2\." — key source managed, cost \$0\.000540/);
    expect(stdout).toMatch(/^alice\s+1\s+byok\s+1000\s+500\s+\$0\.000450$/m);
    expect(stdout).toMatch(/^bob\s+1\s+managed\s+1000\s+500\s+\$0\.000540$/m);
    expect(stdout).toMatch(/alice's key in plain text in .*tenants\.db: no$/m);
    for (const key of [aliceKey, managedKey]) {
      expect(stdout).not.toContain(key);
      expect(stderr).not.toContain(key);
      expect(stdout).not.toContain(key.slice(5, -3)); // not even the part the mask hides
    }
  });

  it('refuses the same database with another master key, with a typed error and no key material', async () => {
    const { code, stdout, stderr } = await runExample(file, randomBytes(32).toString('hex'));
    expect(code).toBe(1);
    expect(stderr).toMatch(/^VaultError: /m);
    expect(stdout).not.toMatch(/Authorization Bearer/); // nothing reached the upstream
    for (const key of [aliceKey, managedKey]) expect(stdout + stderr).not.toContain(key.slice(5, -3));
  });
});
