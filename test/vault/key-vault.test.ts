import { describe, expect, it } from 'vitest';
import { webcrypto } from 'node:crypto';
import { ConfigurationError, VaultError } from '../../src/errors';
import { createKeyVault, isVaultCiphertext } from '../../src/vault';
import { base64MasterKey, binding, flipByteInField, hexMasterKey, openAiKey, otherHexMasterKey } from './vault-test-helpers';

describe('key vault: round trip and format', () => {
  it('encrypts and decrypts with a hex master key', async () => {
    const vault = createKeyVault({ masterKey: hexMasterKey });
    const ciphertext = await vault.encrypt(openAiKey, binding);
    expect(ciphertext).toMatch(/^v1:default:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]+$/);
    expect(isVaultCiphertext(ciphertext)).toBe(true);
    expect(ciphertext).not.toContain(openAiKey.slice(3, 12));
    expect(await vault.decrypt(ciphertext, binding)).toBe(openAiKey);
    expect(vault.keyIdOf(ciphertext)).toBe('default');
    expect(vault.needsRotation(ciphertext)).toBe(false);
  });

  it('encrypts with a base64 master key, raw bytes and a CryptoKey', async () => {
    const raw = webcrypto.getRandomValues(new Uint8Array(32));
    const cryptoKey = await webcrypto.subtle.importKey('raw', raw, { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
    for (const masterKey of [base64MasterKey, base64MasterKey.replace(/=$/, ''), raw, cryptoKey as CryptoKey]) {
      const vault = createKeyVault({ masterKey, keyId: 'k1' });
      const ciphertext = await vault.encrypt('unicode ✓ key', binding);
      expect(vault.keyIdOf(ciphertext)).toBe('k1');
      expect(await vault.decrypt(ciphertext, binding)).toBe('unicode ✓ key');
    }
    expect(raw.some((byte) => byte !== 0)).toBe(true); // the caller's buffer is copied, not wiped
  });

  it('uses a fresh IV for every encryption', async () => {
    const vault = createKeyVault({ masterKey: hexMasterKey });
    const ivs = new Set<string>();
    for (let index = 0; index < 200; index += 1) ivs.add((await vault.encrypt(openAiKey, binding)).split(':')[2]!);
    expect(ivs.size).toBe(200);
  });

  it('rejects ciphertexts that are not in the format without echoing them', async () => {
    const vault = createKeyVault({ masterKey: hexMasterKey });
    for (const value of [openAiKey, '', 'v1:default:abc:def', 'v2:default:AAAAAAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAA']) {
      const error = await vault.decrypt(value, binding).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(VaultError);
      expect((error as Error).message).not.toContain(openAiKey);
    }
    await expect(vault.decrypt('v2:default:AAAAAAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAA', binding)).rejects.toThrow(/version 'v2'/);
    expect(() => vault.keyIdOf(openAiKey)).toThrow(VaultError);
    expect(() => vault.needsRotation(openAiKey)).toThrow(/migratePlaintextKeys/);
  });

  it('names the missing binding field', async () => {
    const vault = createKeyVault({ masterKey: hexMasterKey });
    await expect(vault.encrypt(openAiKey, { ...binding, provider: '' })).rejects.toThrow(/'provider'/);
    await expect(vault.encrypt(openAiKey, { ownerId: 'u' } as never)).rejects.toThrow(/'provider'/);
    await expect(vault.decrypt('x', { ...binding, recordId: undefined } as never)).rejects.toThrow(/'recordId'/);
  });
});

describe('key vault: tampering is detected', () => {
  it('fails on one flipped byte anywhere in the IV, the ciphertext or the tag', async () => {
    const vault = createKeyVault({ masterKey: hexMasterKey });
    const ciphertext = await vault.encrypt(openAiKey, binding);
    const sealedLength = Buffer.from(ciphertext.split(':')[3]!, 'base64url').length;
    expect(sealedLength).toBe(openAiKey.length + 16);
    const positions: Array<[2 | 3, number]> = [];
    for (let index = 0; index < 12; index += 1) positions.push([2, index]);
    for (let index = 0; index < sealedLength; index += 1) positions.push([3, index]); // body and the 16 tag bytes
    for (const [field, index] of positions) {
      const tampered = flipByteInField(ciphertext, field, index);
      expect(tampered).not.toBe(ciphertext);
      await expect(vault.decrypt(tampered, binding), `field ${field} byte ${index}`).rejects.toThrow(VaultError);
    }
  });

  it('fails on a truncated or extended ciphertext and a non-canonical encoding', async () => {
    const vault = createKeyVault({ masterKey: hexMasterKey });
    const ciphertext = await vault.encrypt(openAiKey, binding);
    await expect(vault.decrypt(ciphertext.slice(0, -2), binding)).rejects.toThrow(VaultError);
    await expect(vault.decrypt(`${ciphertext}AA`, binding)).rejects.toThrow(VaultError);
    await expect(vault.decrypt(ciphertext.replace(/^v1:default:/, 'v1:other:'), binding)).rejects.toThrow(/key id 'other'/);
  });

  it.each([
    ['owner', { ...binding, ownerId: 'user-b' }],
    ['provider', { ...binding, provider: 'anthropic' }],
    ['record id', { ...binding, recordId: 'key-002' }],
  ])('fails when the ciphertext is moved to another %s', async (_label, moved) => {
    const vault = createKeyVault({ masterKey: hexMasterKey });
    const ciphertext = await vault.encrypt(openAiKey, binding);
    const error = await vault.decrypt(ciphertext, moved).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(VaultError);
    expect((error as VaultError).message).toMatch(/master key id 'default'/);
  });

  it('does not let binding fields bleed into each other', async () => {
    const vault = createKeyVault({ masterKey: hexMasterKey });
    const ciphertext = await vault.encrypt(openAiKey, { ownerId: 'a:b', provider: 'c', recordId: 'r' });
    await expect(vault.decrypt(ciphertext, { ownerId: 'a', provider: 'b:c', recordId: 'r' })).rejects.toThrow(VaultError);
  });
});

describe('key vault: master key problems', () => {
  it.each([
    ['missing', undefined, /missing/],
    ['empty', '', /missing/],
    ['short hex', hexMasterKey.slice(0, 62), /too short/],
    ['long hex', `${hexMasterKey}00`, /too long/],
    ['not hex or base64', 'this is not a key!', /not hex or base64/],
    ['base64 of 16 bytes', 'q83vEjRWeJCrze8SNFZ4kA==', /too short.*16 bytes/],
    ['placeholder', '0'.repeat(64), /placeholder/],
    ['a number', 42, /unsupported type/],
  ])('rejects a %s master key at start-up with a ConfigurationError', (_label, masterKey, message) => {
    let thrown: unknown;
    try {
      createKeyVault({ masterKey: masterKey as never });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigurationError);
    expect((thrown as Error).message).toMatch(message);
    if (typeof masterKey === 'string' && masterKey.length > 8) expect((thrown as Error).message).not.toContain(masterKey.slice(0, 16));
  });

  it('rejects missing options, wrong CryptoKeys and bad key rings', async () => {
    expect(() => createKeyVault(undefined as never)).toThrow(ConfigurationError);
    const aes128 = await webcrypto.subtle.generateKey({ name: 'AES-GCM', length: 128 }, false, ['encrypt', 'decrypt']);
    expect(() => createKeyVault({ masterKey: aes128 as CryptoKey })).toThrow(/AES-GCM with 256 bits/);
    const encryptOnly = await webcrypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt']);
    expect(() => createKeyVault({ masterKey: encryptOnly as CryptoKey })).toThrow(/'decrypt'/);
    const hmac = await webcrypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    expect(() => createKeyVault({ masterKey: hmac as CryptoKey })).toThrow(/HMAC/);
    expect(() => createKeyVault({ masterKey: { keys: [], currentKeyId: 'a' } })).toThrow(/non-empty/);
    expect(() => createKeyVault({ masterKey: { keys: [{ id: 'a', key: hexMasterKey }], currentKeyId: 'b' } })).toThrow(/'b' is not in the key ring/);
    expect(() =>
      createKeyVault({ masterKey: { keys: [{ id: 'a', key: hexMasterKey }, { id: 'a', key: otherHexMasterKey }], currentKeyId: 'a' } }),
    ).toThrow(/twice/);
    expect(() => createKeyVault({ masterKey: { keys: [{ id: 'a:b', key: hexMasterKey }], currentKeyId: 'a:b' } })).toThrow(/keys\[0\]\.id/);
    expect(() => createKeyVault({ masterKey: { keys: [{ id: 'k2', key: 'short' }], currentKeyId: 'k2' } })).toThrow(/vault key 'k2'/);
    expect(() => createKeyVault({ masterKey: hexMasterKey, keyId: '' })).toThrow(/keyId/);
  });

  it('a wrong master key fails at decrypt time with a VaultError naming the key id', async () => {
    const writer = createKeyVault({ masterKey: hexMasterKey, keyId: 'prod-2025' });
    const reader = createKeyVault({ masterKey: otherHexMasterKey, keyId: 'prod-2025' });
    const ciphertext = await writer.encrypt(openAiKey, binding);
    const error = await reader.decrypt(ciphertext, binding).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(VaultError);
    expect((error as Error).message).toMatch(/master key id 'prod-2025'/);
    expect((error as Error).message).toMatch(/record 'key-001'/);
  });

  it('verify() with a stored key check catches a wrong master key at start-up', async () => {
    const writer = createKeyVault({ masterKey: hexMasterKey });
    const keyCheck = await writer.createKeyCheck();
    await expect(writer.verify({ keyCheck })).resolves.toBeUndefined();
    await expect(createKeyVault({ masterKey: base64MasterKey }).verify()).resolves.toBeUndefined();
    const wrong = createKeyVault({ masterKey: otherHexMasterKey });
    await expect(wrong.verify({ keyCheck })).rejects.toThrow(/key check does not decrypt with master key id 'default'/);
    const sample = { ciphertext: await writer.encrypt(openAiKey, binding), binding };
    await expect(writer.verify({ samples: [sample] })).resolves.toBeUndefined();
    await expect(wrong.verify({ samples: [sample] })).rejects.toThrow(VaultError);
    const renamed = createKeyVault({ masterKey: hexMasterKey, keyId: 'k9' });
    await expect(renamed.verify({ keyCheck })).rejects.toThrow(/not in the key ring/);
  });
});

describe('key vault: key ring', () => {
  it('decrypts old ciphertexts with old keys and encrypts new ones with the current key', async () => {
    const before = createKeyVault({ masterKey: { keys: [{ id: 'k1', key: hexMasterKey }], currentKeyId: 'k1' } });
    const old = await before.encrypt(openAiKey, binding);
    const ring = createKeyVault({
      masterKey: { keys: [{ id: 'k1', key: hexMasterKey }, { id: 'k2', key: otherHexMasterKey }], currentKeyId: 'k2' },
    });
    expect(ring.keyIds).toEqual(['k1', 'k2']);
    expect(ring.needsRotation(old)).toBe(true);
    expect(await ring.decrypt(old, binding)).toBe(openAiKey);
    const fresh = await ring.encrypt(openAiKey, binding);
    expect(ring.keyIdOf(fresh)).toBe('k2');
    expect(ring.needsRotation(fresh)).toBe(false);
    const rotated = await ring.reencrypt(old, binding);
    expect(ring.keyIdOf(rotated)).toBe('k2');
    expect(await ring.decrypt(rotated, binding)).toBe(openAiKey);
    expect(await ring.reencrypt(fresh, binding)).toBe(fresh);
    await expect(ring.reencrypt(flipByteInField(old, 3, 0), binding)).rejects.toThrow(/master key id 'k1'/);
    await expect(before.decrypt(fresh, binding)).rejects.toThrow(/'k2', which is not in the key ring \(ids: k1\)/);
    await expect(ring.verify({ keyCheck: await before.createKeyCheck() })).resolves.toBeUndefined();
  });
});
