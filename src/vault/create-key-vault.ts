import { ConfigurationError } from '../errors/configuration-error';
import { VaultError } from '../errors/vault-error';
import {
  additionalData,
  assertBinding,
  formatCiphertext,
  ivLength,
  parseCiphertext,
  tagLength,
} from './ciphertext-format';
import { defineInspection } from './inspect-symbols';
import type { KeyBinding, KeyVault, KeyVaultOptions, KeyVaultVerifyOptions } from './key-vault-types';
import { validateMasterKeyOptions } from './master-key';

const keyCheckBinding: KeyBinding = { ownerId: 'llm-switchyard', provider: 'vault', recordId: 'key-check' };
const keyCheckPlaintext = 'llm-switchyard vault key check v1';

function subtleCrypto(): SubtleCrypto {
  const subtle = globalThis.crypto?.subtle;
  if (subtle === undefined) {
    throw new ConfigurationError('The key vault needs WebCrypto (globalThis.crypto.subtle); this runtime does not provide it');
  }
  return subtle;
}

/**
 * Creates the key vault. Validates the master key(s) synchronously and throws `ConfigurationError`
 * for a missing, short or malformed key; call `verify()` at start-up to also prove the key works and
 * matches the stored data.
 */
export function createKeyVault(options: KeyVaultOptions): KeyVault {
  const subtle = subtleCrypto();
  const { keys, currentKeyId } = validateMasterKeyOptions(options);
  const keyIds = Object.freeze(keys.map((key) => key.id));

  // Raw bytes are imported as non-extractable keys and then wiped; only CryptoKey handles stay in this closure.
  const importedKeys = new Map<string, Promise<CryptoKey>>();
  for (const { id, material } of keys) {
    const imported =
      material instanceof Uint8Array
        ? subtle.importKey('raw', material, { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']).finally(() => material.fill(0))
        : Promise.resolve(material);
    imported.catch(() => undefined); // reported by the operation that awaits it, not as an unhandled rejection
    importedKeys.set(id, imported);
  }

  async function keyFor(keyId: string): Promise<CryptoKey> {
    const key = importedKeys.get(keyId);
    if (key === undefined) {
      throw new VaultError(`Ciphertext was made with master key id '${keyId}', which is not in the key ring (ids: ${keyIds.join(', ')}); add that key to the ring`);
    }
    try {
      return await key;
    } catch {
      throw new VaultError(`Master key '${keyId}' could not be imported into WebCrypto as an AES-GCM key`);
    }
  }

  async function encrypt(plaintext: string, binding: KeyBinding): Promise<string> {
    if (typeof plaintext !== 'string') throw new VaultError(`Vault can only encrypt strings, got ${typeof plaintext}`);
    assertBinding(binding);
    const key = await keyFor(currentKeyId);
    const iv = globalThis.crypto.getRandomValues(new Uint8Array(ivLength));
    const sealed = await subtle.encrypt(
      { name: 'AES-GCM', iv, additionalData: additionalData(currentKeyId, binding), tagLength: tagLength * 8 },
      key,
      new TextEncoder().encode(plaintext),
    );
    return formatCiphertext(currentKeyId, iv, new Uint8Array(sealed));
  }

  async function decrypt(ciphertext: string, binding: KeyBinding): Promise<string> {
    assertBinding(binding);
    const { keyId, iv, sealed } = parseCiphertext(ciphertext);
    const key = await keyFor(keyId);
    let opened: ArrayBuffer;
    try {
      opened = await subtle.decrypt(
        { name: 'AES-GCM', iv, additionalData: additionalData(keyId, binding), tagLength: tagLength * 8 },
        key,
        sealed,
      );
    } catch {
      // GCM cannot tell a wrong key from tampering or a moved ciphertext; say all three, and which key id.
      throw new VaultError(
        `Could not decrypt the '${binding.provider}' key of record '${binding.recordId}' with master key id '${keyId}': ` +
          'either the master key configured under that id is not the one that encrypted it, or the ciphertext was altered ' +
          'or copied from another owner, provider or record',
        { provider: binding.provider },
      );
    }
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(opened);
    } catch {
      throw new VaultError(`Decrypted value of record '${binding.recordId}' is not valid UTF-8`);
    }
  }

  async function reencrypt(ciphertext: string, binding: KeyBinding): Promise<string> {
    const plaintext = await decrypt(ciphertext, binding);
    if (parseCiphertext(ciphertext).keyId === currentKeyId) return ciphertext;
    return encrypt(plaintext, binding);
  }

  async function verify(verifyOptions: KeyVaultVerifyOptions = {}): Promise<void> {
    const probe = 'llm-switchyard vault self-test';
    for (const keyId of keyIds) {
      const key = await keyFor(keyId);
      const iv = globalThis.crypto.getRandomValues(new Uint8Array(ivLength));
      try {
        const sealed = await subtle.encrypt({ name: 'AES-GCM', iv }, key, new TextEncoder().encode(probe));
        const opened = await subtle.decrypt({ name: 'AES-GCM', iv }, key, sealed);
        if (new TextDecoder().decode(opened) !== probe) throw new Error('mismatch');
      } catch {
        throw new VaultError(`Master key '${keyId}' failed the AES-GCM self-test`);
      }
    }
    if (verifyOptions.keyCheck !== undefined) {
      const checkKeyId = safeKeyId(verifyOptions.keyCheck);
      if (checkKeyId !== undefined && !keyIds.includes(checkKeyId)) {
        throw new VaultError(
          `The stored key check was written with master key id '${checkKeyId}', which is not in the key ring (ids: ${keyIds.join(', ')}): configure that key, or a ring that still holds it`,
        );
      }
      let opened: string;
      try {
        opened = await decrypt(verifyOptions.keyCheck, keyCheckBinding);
      } catch (error) {
        const keyId = safeKeyId(verifyOptions.keyCheck);
        throw new VaultError(
          `The stored key check does not decrypt${keyId ? ` with master key id '${keyId}'` : ''}: the configured master key is not the one the stored keys were written with`,
          { cause: error },
        );
      }
      if (opened !== keyCheckPlaintext) throw new VaultError('The stored key check decrypted to an unexpected value');
    }
    for (const sample of verifyOptions.samples ?? []) await decrypt(sample.ciphertext, sample.binding);
  }

  function safeKeyId(ciphertext: string): string | undefined {
    try {
      return parseCiphertext(ciphertext).keyId;
    } catch {
      return undefined;
    }
  }

  const vault: KeyVault = {
    currentKeyId,
    keyIds,
    encrypt,
    decrypt,
    reencrypt,
    verify,
    needsRotation: (ciphertext) => parseCiphertext(ciphertext).keyId !== currentKeyId,
    keyIdOf: (ciphertext) => parseCiphertext(ciphertext).keyId,
    createKeyCheck: () => encrypt(keyCheckPlaintext, keyCheckBinding),
  };
  // The closure holds the keys; these make dumps of the vault say so explicitly instead of listing functions.
  const summary = () => ({ kind: 'key-vault', format: 'v1', currentKeyId, keyIds: [...keyIds] });
  Object.defineProperty(vault, 'toJSON', { value: summary, enumerable: false });
  defineInspection(vault, () => `KeyVault { currentKeyId: '${currentKeyId}', keyIds: [${keyIds.map((id) => `'${id}'`).join(', ')}] }`);
  return Object.freeze(vault);
}
