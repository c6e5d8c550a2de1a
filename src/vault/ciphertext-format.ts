import { VaultError } from '../errors/vault-error';
import { decodeBase64UrlStrict, encodeBase64Url } from './base64url';
import type { KeyBinding } from './key-vault-types';

/** Format version written as the first field of every ciphertext. */
export const ciphertextVersion = 'v1';

/** Bytes of the AES-GCM nonce. */
export const ivLength = 12;

/** Bytes of the AES-GCM authentication tag appended to the ciphertext. */
export const tagLength = 16;

export const keyIdPattern = /^[A-Za-z0-9._-]{1,64}$/;

// v1:<key id>:<base64url 12-byte iv>:<base64url ciphertext with 16-byte tag>
const ciphertextPattern = /^v1:[A-Za-z0-9._-]{1,64}:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]{22,}$/;

/** A ciphertext split into its parts. */
export interface ParsedCiphertext {
  keyId: string;
  iv: Uint8Array<ArrayBuffer>;
  sealed: Uint8Array<ArrayBuffer>;
}

/** Whether `value` has the shape of a vault ciphertext (anything else is treated as plaintext by the migration). */
export function isVaultCiphertext(value: unknown): value is string {
  return typeof value === 'string' && ciphertextPattern.test(value);
}

export function formatCiphertext(keyId: string, iv: Uint8Array, sealed: Uint8Array): string {
  return `${ciphertextVersion}:${keyId}:${encodeBase64Url(iv)}:${encodeBase64Url(sealed)}`;
}

/** Parses a ciphertext. The error never echoes the value, which may be a plaintext key stored by mistake. */
export function parseCiphertext(value: unknown): ParsedCiphertext {
  if (typeof value !== 'string') throw new VaultError(`Expected a vault ciphertext string, got ${value === null ? 'null' : typeof value}`);
  const parts = value.split(':');
  if (parts[0] !== ciphertextVersion && parts.length === 4 && /^v\d+$/.test(parts[0]!)) {
    throw new VaultError(`Unsupported vault ciphertext version '${parts[0]}'; this version of llm-switchyard reads ${ciphertextVersion}`);
  }
  if (!ciphertextPattern.test(value)) {
    throw new VaultError(`Value is not a vault ciphertext (expected ${ciphertextVersion}:<keyId>:<iv>:<ciphertext>); if it is a plaintext key, run migratePlaintextKeys`);
  }
  const [, keyId, ivText, sealedText] = parts as [string, string, string, string];
  const iv = decodeBase64UrlStrict(ivText);
  const sealed = decodeBase64UrlStrict(sealedText);
  if (iv === undefined || iv.length !== ivLength || sealed === undefined || sealed.length < tagLength) {
    throw new VaultError(`Vault ciphertext under key id '${keyId}' is malformed (bad IV or ciphertext encoding)`);
  }
  return { keyId, iv, sealed };
}

// JSON array encoding keeps the fields unambiguous (no `a:b` + `c` == `a` + `b:c` confusion).
export function additionalData(keyId: string, binding: KeyBinding): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(
    JSON.stringify(['llm-switchyard/vault', ciphertextVersion, keyId, binding.ownerId, binding.provider, binding.recordId]),
  );
}

/** Throws `VaultError` naming the field when a binding is incomplete. */
export function assertBinding(binding: unknown): asserts binding is KeyBinding {
  if (typeof binding !== 'object' || binding === null) throw new VaultError('Vault binding must be an object { ownerId, provider, recordId }');
  for (const field of ['ownerId', 'provider', 'recordId'] as const) {
    const value = (binding as Record<string, unknown>)[field];
    if (typeof value !== 'string' || value.length === 0) {
      throw new VaultError(`Vault binding field '${field}' must be a non-empty string`);
    }
  }
}
