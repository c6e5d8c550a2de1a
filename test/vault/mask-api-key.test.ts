import { describe, expect, it } from 'vitest';
import { inspect } from 'node:util';
import { createSecretString, isSecretString, maskApiKey, revealSecret } from '../../src/vault';

describe('maskApiKey', () => {
  it('shows the first 5 and last 3 characters of a long key', () => {
    expect(maskApiKey('sk-abcdefghijklmnopqrstuvwxyz')).toBe('sk-ab...xyz');
    expect(maskApiKey('sk-ant-api03-Zq9XbT4mWv7Lk2Jh8Gf5Dd3Ss1Aa0PpOo')).toBe('sk-an...pOo');
    expect(maskApiKey('AIzaSyD-1234567890abcdefghijklmnop')).toBe('AIzaS...nop');
    expect(maskApiKey('  sk-abcdefghijklmnopqrstuvwxyz\n')).toBe('sk-ab...xyz');
  });

  it('masks short keys and non-strings completely, without revealing their length', () => {
    for (const value of ['', 'short', 'sk-1234567890abcde', undefined, null, 42, { key: 'sk-abcdefghijklmnopqrstuvwxyz' }]) {
      expect(maskApiKey(value)).toBe('****');
    }
    expect(maskApiKey('x'.repeat(19))).toBe('****');
    expect(maskApiKey('x'.repeat(20))).toBe('xxxxx...xxx');
  });
});

describe('SecretString', () => {
  const apiKey = 'sk-proj-Zq9XbT4mWv7Lk2Jh8Gf5Dd3Ss1Aa0PpOoIiUuYy';
  const secret = createSecretString(apiKey);
  const holder = { provider: 'openai', apiKey: secret, nested: [secret] };

  it('prints only the mask in every form', () => {
    expect(secret.masked).toBe('sk-pr...uYy');
    expect(String(secret)).toBe('sk-pr...uYy');
    expect(`${secret}`).toBe('sk-pr...uYy');
    expect(JSON.stringify(holder)).toBe('{"provider":"openai","apiKey":"sk-pr...uYy","nested":["sk-pr...uYy"]}');
    expect(inspect(secret)).toBe('SecretString(sk-pr...uYy)');
    for (const printed of [inspect(holder, { depth: 10 }), inspect(holder, { showHidden: true, depth: 10 }), JSON.stringify({ ...secret })]) {
      expect(printed).not.toContain(apiKey.slice(5, -3));
    }
    expect(Object.values(secret).filter((value) => typeof value === 'string')).toEqual(['sk-pr...uYy']);
  });

  it('reveals the value only on request', () => {
    expect(secret.reveal()).toBe(apiKey);
    expect(revealSecret(secret)).toBe(apiKey);
    expect(revealSecret('plain')).toBe('plain');
    expect(isSecretString(secret)).toBe(true);
    expect(isSecretString({ masked: 'x', reveal: () => 'x' })).toBe(false);
    expect(Object.isFrozen(secret)).toBe(true);
  });
});
