import type { EncryptedKeyKind, ProviderConfigRecord, ProviderInstanceRecord } from '../spec/storage';
import type { KeyBinding } from '../vault/key-vault-types';

/**
 * Keys live in two tables (provider configurations and provider instances) whose ids may collide, so the
 * vault sees `<kind>:<id>` as the record id: it is bound into the ciphertext and is the id the rotation
 * store lists in ascending order ('provider-config:…' sorts before 'provider-instance:…').
 */
export function vaultRecordId(kind: EncryptedKeyKind, id: string): string {
  return `${kind}:${id}`;
}

/** Splits a vault record id back into the storage kind and id. */
export function parseVaultRecordId(recordId: string): { kind: EncryptedKeyKind; id: string } | undefined {
  for (const kind of ['provider-config', 'provider-instance'] as const) {
    if (recordId.startsWith(`${kind}:`)) return { kind, id: recordId.slice(kind.length + 1) };
  }
  return undefined;
}

/** A provider configuration's key is bound to its owner, its provider and its record. */
export function providerConfigBinding(record: Pick<ProviderConfigRecord, 'id' | 'userId' | 'provider'>): KeyBinding {
  return { ownerId: record.userId, provider: record.provider, recordId: vaultRecordId('provider-config', record.id) };
}

/**
 * An instance's key is bound to its owner and to the instance itself (as the provider, since the
 * instance is the provider a model reference names), so moving it to another instance or owner fails.
 */
export function providerInstanceBinding(record: Pick<ProviderInstanceRecord, 'id' | 'ownerId'>): KeyBinding {
  return { ownerId: record.ownerId, provider: record.id, recordId: vaultRecordId('provider-instance', record.id) };
}

async function sha256Hex(text: string, characters: number): Promise<string> {
  const digest = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('').slice(0, characters);
}

/**
 * Deterministic id of the configuration holding `ownerId`'s key for `provider`, so that two concurrent
 * `keys.set` calls write the same row. Readable when short; a digest when the parts are long, because
 * storage ids (and the audit ids built from them) are capped at 191 characters.
 */
export async function providerConfigId(ownerId: string, provider: string): Promise<string> {
  const readable = `${encodeURIComponent(ownerId)}:${encodeURIComponent(provider)}`;
  return readable.length <= 96 ? readable : `sha256-${await sha256Hex(JSON.stringify([ownerId, provider]), 40)}`;
}

/** A random id with a prefix (`inst-3f9a…`), for instances and definitions created without one. */
export function randomRecordId(prefix: string): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(10));
  return `${prefix}-${Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('')}`;
}
