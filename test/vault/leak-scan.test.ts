import { describe, expect, it } from 'vitest';
import { LLMError, StorageError } from '../../src/errors';
import {
  createKeyVault,
  createMemoryKeyStore,
  createSecretString,
  decryptWithLazyReencryption,
  migratePlaintextKeys,
  rotateKeys,
  type RotatableKeyStore,
} from '../../src/vault';
import { base64MasterKey, binding, flipByteInField, hexMasterKey, openAiKey, otherHexMasterKey, printedForms } from './vault-test-helpers';

// Substrings that must never show up: the API key (minus the mask's visible ends) and the master keys.
const forbidden = [openAiKey.slice(5, -3), openAiKey.slice(10, 30), hexMasterKey, hexMasterKey.slice(0, 16), hexMasterKey.slice(-16),
  otherHexMasterKey.slice(8, 24), base64MasterKey.slice(0, 16), base64MasterKey.slice(-16, -1)];

async function expectNoLeak(label: string, value: unknown): Promise<void> {
  for (const printed of await printedForms(value)) {
    for (const secret of forbidden) expect(printed, `${label} leaks`).not.toContain(secret);
  }
}

async function caught(run: () => unknown): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('leak scan', () => {
  it('the scan itself catches a leak (control)', async () => {
    await expect(expectNoLeak('control', { apiKey: openAiKey })).rejects.toThrow(/control leaks/);
    await expect(expectNoLeak('control error', new Error('bad', { cause: { masterKey: hexMasterKey } }))).rejects.toThrow(/leaks/);
  });

  it('no vault object, result, report or error prints key material', async () => {
    const ringOptions = { masterKey: { keys: [{ id: 'k1', key: hexMasterKey }, { id: 'k2', key: otherHexMasterKey }], currentKeyId: 'k2' } };
    const vault = createKeyVault(ringOptions);
    const oldVault = createKeyVault({ masterKey: base64MasterKey, keyId: 'k0' });
    const scanned: Array<[string, unknown]> = [['vault', vault], ['vault with base64 key', oldVault]];
    expect(JSON.stringify(vault)).toBe('{"kind":"key-vault","format":"v1","currentKeyId":"k2","keyIds":["k1","k2"]}');

    const ciphertext = await vault.encrypt(openAiKey, binding);
    scanned.push(['ciphertext', ciphertext], ['key check', await vault.createKeyCheck()]);

    // Errors from bad configuration that contain (parts of) real keys.
    scanned.push(['short key', await caught(() => createKeyVault({ masterKey: hexMasterKey.slice(0, 40) }))]);
    scanned.push(['long key', await caught(() => createKeyVault({ masterKey: `${hexMasterKey}ff` }))]);
    scanned.push(['api key as master key', await caught(() => createKeyVault({ masterKey: openAiKey }))]);
    scanned.push(['bad ring', await caught(() => createKeyVault({ masterKey: { keys: [{ id: 'a', key: hexMasterKey }], currentKeyId: openAiKey } }))]);

    // Errors from decryption: wrong key, tampering, moved ciphertexts, plaintext passed as ciphertext.
    const wrongVault = createKeyVault({ masterKey: base64MasterKey, keyId: 'k2' });
    scanned.push(['wrong key', await caught(() => wrongVault.decrypt(ciphertext, binding))]);
    scanned.push(['tampered', await caught(() => vault.decrypt(flipByteInField(ciphertext, 3, 4), binding))]);
    scanned.push(['moved', await caught(() => vault.decrypt(ciphertext, { ...binding, ownerId: 'user-b' }))]);
    scanned.push(['plaintext as ciphertext', await caught(() => vault.decrypt(openAiKey, binding))]);
    scanned.push(['plaintext to keyIdOf', await caught(() => vault.keyIdOf(openAiKey))]);
    scanned.push(['unknown key id', await caught(() => oldVault.decrypt(ciphertext, binding))]);
    scanned.push(['wrong key verify', await caught(() => wrongVault.verify({ keyCheck: ciphertext }))]);
    scanned.push(['wrong key check', await caught(async () => wrongVault.verify({ keyCheck: await vault.createKeyCheck() }))]);

    // Rotation, lazy reads and migration: reports, results, audit rows and failures.
    const store = createMemoryKeyStore([
      { id: 'r1', ownerId: 'user-a', provider: 'openai', ciphertext: await oldVault.encrypt(openAiKey, { ownerId: 'user-a', provider: 'openai', recordId: 'r1' }) },
      { id: 'r2', ownerId: 'user-a', provider: 'openai', ciphertext: openAiKey },
    ]);
    const mixedRing = createKeyVault({ masterKey: { keys: [{ id: 'k0', key: base64MasterKey }, ...ringOptions.masterKey.keys], currentKeyId: 'k2' } });
    const lazy = await decryptWithLazyReencryption({ vault: mixedRing, store, record: store.get('r1')! });
    expect(lazy.apiKey.reveal()).toBe(openAiKey);
    scanned.push(['lazy result', lazy]);
    const failingStore: RotatableKeyStore = {
      ...store,
      listEncryptedKeys: (options) => store.listEncryptedKeys(options),
      async compareAndSetCiphertext() {
        throw new StorageError('write failed');
      },
    };
    scanned.push(['migration crash', await caught(() => migratePlaintextKeys({ vault: mixedRing, store: failingStore }))]);
    scanned.push(['migration report', await migratePlaintextKeys({ vault: mixedRing, store })]);
    store.put({ id: 'r3', ownerId: 'user-a', provider: 'openai', ciphertext: flipByteInField(await oldVault.encrypt(openAiKey, { ownerId: 'user-a', provider: 'openai', recordId: 'r3' }), 3, 1) });
    const report = await rotateKeys({ vault: mixedRing, store });
    expect(report.failures).toHaveLength(1);
    scanned.push(['rotation report', report], ['audit rows', store.auditRows()], ['store', store]);
    scanned.push(['secret string', createSecretString(openAiKey)], ['object holding a secret', { apiKey: createSecretString(openAiKey) }]);

    let errors = 0;
    for (const [label, value] of scanned) {
      if (LLMError.isInstance(value)) errors += 1;
      await expectNoLeak(label, value);
    }
    expect(errors).toBeGreaterThanOrEqual(11);
  });
});
