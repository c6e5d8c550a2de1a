// Runs the vault in Deno (WebCrypto, no node:*). Not collected by vitest (the name does not end in .test.ts).
// From the repository root:
//   npx --yes deno@2 test --sloppy-imports --no-lock test/vault/deno/vault.deno-test.ts
import { ConfigurationError, VaultError } from '../../../src/errors';
import {
  createKeyVault,
  createMemoryKeyStore,
  createSecretString,
  decryptWithLazyReencryption,
  maskApiKey,
  migratePlaintextKeys,
  rotateKeys,
} from '../../../src/vault';

// Only what this file uses of the Deno namespace, so the project's tsc (Node types) accepts the file too.
declare const Deno: {
  test(name: string, run: () => Promise<void> | void): void;
  inspect(value: unknown, options?: { depth?: number }): string;
};

function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`assertion failed: ${message}`);
}

async function rejectsWith(run: () => Promise<unknown>, type: new (...args: never[]) => Error, pattern?: RegExp): Promise<Error> {
  try {
    await run();
  } catch (error) {
    assert(error instanceof type, `expected ${type.name}, got ${String(error)}`);
    if (pattern) assert(pattern.test(error.message), `message ${error.message} should match ${pattern}`);
    return error;
  }
  throw new Error(`expected ${type.name}, nothing was thrown`);
}

const hexMasterKey = 'a3f1c9d27be04e5f8a6b1c2d3e4f50617283940a1b2c3d4e5f60718293a4b5c6';
const otherHexMasterKey = '0f1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff0';
const apiKey = 'sk-proj-Zq9XbT4mWv7Lk2Jh8Gf5Dd3Ss1Aa0PpOoIiUuYyTtRrEeWwQq';
const binding = { ownerId: 'user-a', provider: 'openai', recordId: 'key-001' };

function flipByte(ciphertext: string, field: 2 | 3, index: number): string {
  const parts = ciphertext.split(':');
  const text = parts[field]!.replace(/-/g, '+').replace(/_/g, '/');
  const bytes = Uint8Array.from(atob(text + '='.repeat((4 - (text.length % 4)) % 4)), (char) => char.charCodeAt(0));
  bytes[index] = bytes[index]! ^ 1;
  parts[field] = btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  return parts.join(':');
}

Deno.test('round trip, format and key ids', async () => {
  const vault = createKeyVault({ masterKey: hexMasterKey, keyId: 'k1' });
  const ciphertext = await vault.encrypt(apiKey, binding);
  assert(/^v1:k1:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]+$/.test(ciphertext), 'format');
  assert((await vault.decrypt(ciphertext, binding)) === apiKey, 'round trip');
  assert(vault.keyIdOf(ciphertext) === 'k1' && !vault.needsRotation(ciphertext), 'key id');
  const cryptoKey = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
  const fromCryptoKey = createKeyVault({ masterKey: cryptoKey as CryptoKey });
  assert((await fromCryptoKey.decrypt(await fromCryptoKey.encrypt('x', binding), binding)) === 'x', 'CryptoKey');
  const fromBase64 = createKeyVault({ masterKey: 'q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=' });
  await fromBase64.verify({ keyCheck: await fromBase64.createKeyCheck() });
});

Deno.test('tampering and moved ciphertexts are detected', async () => {
  const vault = createKeyVault({ masterKey: hexMasterKey });
  const ciphertext = await vault.encrypt(apiKey, binding);
  for (let index = 0; index < 12; index += 1) await rejectsWith(() => vault.decrypt(flipByte(ciphertext, 2, index), binding), VaultError);
  for (let index = 0; index < apiKey.length + 16; index += 1) {
    await rejectsWith(() => vault.decrypt(flipByte(ciphertext, 3, index), binding), VaultError);
  }
  await rejectsWith(() => vault.decrypt(ciphertext, { ...binding, ownerId: 'user-b' }), VaultError, /master key id 'default'/);
  await rejectsWith(() => vault.decrypt(ciphertext, { ...binding, provider: 'anthropic' }), VaultError);
  await rejectsWith(() => vault.decrypt(ciphertext, { ...binding, recordId: 'key-002' }), VaultError);
});

Deno.test('bad and wrong master keys', async () => {
  for (const masterKey of [undefined, '', hexMasterKey.slice(0, 62), 'not a key!', '0'.repeat(64)]) {
    let thrown: unknown;
    try {
      createKeyVault({ masterKey: masterKey as never });
    } catch (error) {
      thrown = error;
    }
    assert(thrown instanceof ConfigurationError, `ConfigurationError for ${String(masterKey).length} characters`);
  }
  const writer = createKeyVault({ masterKey: hexMasterKey });
  const reader = createKeyVault({ masterKey: otherHexMasterKey });
  await rejectsWith(async () => reader.verify({ keyCheck: await writer.createKeyCheck() }), VaultError, /key check does not decrypt/);
});

Deno.test('rotation with a crash, then resume; lazy re-encryption; migration', async () => {
  const old = createKeyVault({ masterKey: { keys: [{ id: 'k1', key: hexMasterKey }], currentKeyId: 'k1' } });
  const ring = createKeyVault({
    masterKey: { keys: [{ id: 'k1', key: hexMasterKey }, { id: 'k2', key: otherHexMasterKey }], currentKeyId: 'k2' },
  });
  const store = createMemoryKeyStore();
  const plaintexts = new Map<string, string>();
  for (let index = 0; index < 500; index += 1) {
    const id = `rec-${String(index).padStart(4, '0')}`;
    plaintexts.set(id, `sk-deno-${index}-abcdefghijklmnopqrstuvwxyz`);
    store.put({ id, ownerId: `u${index % 7}`, provider: 'openai', ciphertext: await old.encrypt(plaintexts.get(id)!, { ownerId: `u${index % 7}`, provider: 'openai', recordId: id }) });
  }
  let writes = 0;
  const crashing = {
    listEncryptedKeys: store.listEncryptedKeys,
    appendRotationAudit: store.appendRotationAudit,
    compareAndSetCiphertext: async (id: string, expected: string, next: string) => {
      if (writes++ === 217) throw new Error('injected crash');
      return store.compareAndSetCiphertext(id, expected, next);
    },
  };
  await rejectsWith(() => rotateKeys({ vault: ring, store: crashing, batchSize: 50 }), Error, /injected crash/);
  const lazy = await decryptWithLazyReencryption({ vault: ring, store, record: store.get('rec-0400')! });
  assert(lazy.reencryption === 'written' && lazy.apiKey.reveal() === plaintexts.get('rec-0400'), 'lazy');
  const report = await rotateKeys({ vault: ring, store, batchSize: 50 });
  assert(report.rotated === 500 - 217 - 1 && report.alreadyCurrent === 218, `resume counts ${JSON.stringify(report)}`);
  for (const record of await store.listEncryptedKeys({ limit: 1000 })) {
    assert(ring.keyIdOf(record.ciphertext) === 'k2', 'rotated');
    assert((await ring.decrypt(record.ciphertext, { ownerId: record.ownerId, provider: record.provider, recordId: record.id })) === plaintexts.get(record.id), 'plaintext');
  }
  assert(store.auditRows().length === 500 && new Set(store.auditRows().map((row) => row.recordId)).size === 500, 'one audit row per key');

  store.put({ id: 'legacy', ownerId: 'u1', provider: 'groq', ciphertext: 'gsk_legacyplaintextkey0123456789' });
  const migration = await migratePlaintextKeys({ vault: ring, store });
  assert(migration.encrypted === 1 && store.get('legacy')!.ciphertext.startsWith('v1:k2:'), 'migration');
});

Deno.test('nothing prints key material (JSON and Deno.inspect)', async () => {
  const vault = createKeyVault({ masterKey: hexMasterKey });
  const secret = createSecretString(apiKey);
  const error = await rejectsWith(() => createKeyVault({ masterKey: otherHexMasterKey }).decrypt('v1:default:AAAAAAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAA', binding), VaultError);
  for (const value of [vault, secret, { apiKey: secret }, error]) {
    for (const printed of [JSON.stringify(value), Deno.inspect(value, { depth: 10 }), String(value)]) {
      assert(!printed.includes(apiKey.slice(5, -3)) && !printed.includes(hexMasterKey.slice(0, 16)), `leak in ${printed}`);
    }
  }
  assert(Deno.inspect(secret) === 'SecretString(sk-pr...wQq)', Deno.inspect(secret));
  assert(maskApiKey(apiKey) === 'sk-pr...wQq', 'mask');
});
