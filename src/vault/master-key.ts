import { ConfigurationError } from '../errors/configuration-error';
import { decodeBase64Any } from './base64url';
import { keyIdPattern } from './ciphertext-format';
import type { KeyRing, KeyVaultOptions, MasterKeyMaterial } from './key-vault-types';

/** A validated ring entry: raw bytes still to import, or a ready CryptoKey. */
export interface ValidatedKey {
  id: string;
  material: Uint8Array<ArrayBuffer> | CryptoKey;
}

const hexPattern = /^[0-9a-fA-F]{64}$/;
const howToMakeOne = '64 hex characters (`openssl rand -hex 32`), base64 of 32 bytes (`openssl rand -base64 32`), 32 raw bytes, or an AES-GCM 256-bit CryptoKey';

function isKeyRing(value: unknown): value is KeyRing {
  return typeof value === 'object' && value !== null && 'keys' in value && !(value instanceof Uint8Array);
}

function looksLikeCryptoKey(value: unknown): value is CryptoKey {
  return typeof value === 'object' && value !== null && 'algorithm' in value && 'usages' in value && 'type' in value;
}

// Messages say what is wrong (length, encoding) and never include the value itself.
function validateMaterial(material: MasterKeyMaterial | undefined | null, label: string): Uint8Array<ArrayBuffer> | CryptoKey {
  if (material === undefined || material === null || material === '') {
    throw new ConfigurationError(`${label} is missing: pass ${howToMakeOne}`);
  }
  if (typeof material === 'string') {
    const text = material.trim();
    let bytes: Uint8Array<ArrayBuffer> | undefined;
    if (hexPattern.test(text)) {
      bytes = new Uint8Array(32);
      for (let index = 0; index < 32; index += 1) bytes[index] = Number.parseInt(text.slice(index * 2, index * 2 + 2), 16);
    } else if (/^[0-9a-fA-F]{16,}$/.test(text)) {
      // Only hex digits: meant as hex (random base64 of 32 bytes is never all hex digits).
      throw new ConfigurationError(
        `${label} is too ${text.length < 64 ? 'short' : 'long'} (${text.length} hex characters): AES-256 needs 32 bytes, ${howToMakeOne}`,
      );
    } else {
      bytes = decodeBase64Any(text);
      if (bytes === undefined) {
        throw new ConfigurationError(`${label} is not hex or base64 (a string of ${text.length} characters): pass ${howToMakeOne}`);
      }
      if (bytes.length !== 32) {
        throw new ConfigurationError(
          `${label} is too ${bytes.length < 32 ? 'short' : 'long'} (base64 of ${bytes.length} bytes): AES-256 needs 32 bytes, ${howToMakeOne}`,
        );
      }
    }
    return rejectPlaceholder(bytes, label);
  }
  if (material instanceof Uint8Array) {
    if (material.length !== 32) throw new ConfigurationError(`${label} has ${material.length} bytes; AES-256 needs exactly 32`);
    return rejectPlaceholder(new Uint8Array(material), label);
  }
  if (looksLikeCryptoKey(material)) {
    const algorithm = material.algorithm as { name?: string; length?: number };
    if (algorithm.name !== 'AES-GCM' || algorithm.length !== 256) {
      throw new ConfigurationError(`${label} is a CryptoKey for ${algorithm.name ?? 'an unknown algorithm'}${algorithm.length ? ` (${algorithm.length} bits)` : ''}; it must be AES-GCM with 256 bits`);
    }
    if (!material.usages.includes('encrypt') || !material.usages.includes('decrypt')) {
      throw new ConfigurationError(`${label} is a CryptoKey without both 'encrypt' and 'decrypt' usages`);
    }
    return material;
  }
  throw new ConfigurationError(`${label} has an unsupported type (${typeof material}): pass ${howToMakeOne}`);
}

// An all-zero (or all-equal) key is a placeholder copied from an example, not a secret.
function rejectPlaceholder(bytes: Uint8Array<ArrayBuffer>, label: string): Uint8Array<ArrayBuffer> {
  if (bytes.every((byte) => byte === bytes[0])) {
    throw new ConfigurationError(`${label} is a placeholder (all 32 bytes are equal); generate a real one with \`openssl rand -hex 32\``);
  }
  return bytes;
}

function validateKeyId(id: unknown, label: string): string {
  if (typeof id !== 'string' || !keyIdPattern.test(id)) {
    throw new ConfigurationError(`${label} must be 1–64 characters of A-Z a-z 0-9 . _ - (it is written into every ciphertext)`);
  }
  return id;
}

/** Validates `createKeyVault` options synchronously; throws `ConfigurationError` naming the problem. */
export function validateMasterKeyOptions(options: KeyVaultOptions | undefined): { keys: ValidatedKey[]; currentKeyId: string } {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigurationError(`Vault options are missing: pass { masterKey } with ${howToMakeOne}`);
  }
  const { masterKey } = options;
  if (!isKeyRing(masterKey) || looksLikeCryptoKey(masterKey)) {
    const id = validateKeyId(options.keyId ?? 'default', 'vault keyId');
    return { keys: [{ id, material: validateMaterial(masterKey as MasterKeyMaterial, 'vault masterKey') }], currentKeyId: id };
  }
  if (!Array.isArray(masterKey.keys) || masterKey.keys.length === 0) {
    throw new ConfigurationError('vault masterKey.keys must be a non-empty array of { id, key }');
  }
  const seen = new Set<string>();
  const keys = masterKey.keys.map((entry, index) => {
    const id = validateKeyId(entry?.id, `vault masterKey.keys[${index}].id`);
    if (seen.has(id)) throw new ConfigurationError(`vault key ring has the key id '${id}' twice`);
    seen.add(id);
    return { id, material: validateMaterial(entry.key, `vault key '${id}'`) };
  });
  const currentKeyId = validateKeyId(masterKey.currentKeyId, 'vault masterKey.currentKeyId');
  if (!seen.has(currentKeyId)) {
    throw new ConfigurationError(`vault currentKeyId '${currentKeyId}' is not in the key ring (ids: ${[...seen].join(', ')})`);
  }
  return { keys, currentKeyId };
}
