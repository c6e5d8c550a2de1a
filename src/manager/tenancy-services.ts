import type { LanguageModelProvider } from '../spec/provider';
import type { Storage } from '../spec/storage';
import { createInstanceService, type InstanceService } from '../tenancy/create-instance-service';
import { createKeyService, type KeyService } from '../tenancy/create-key-service';
import { createUserScopeLoader, type UserScopeLoader } from '../tenancy/user-scope';
import { vaultRecordId } from '../tenancy/key-record-binding';
import { createKeyVault } from '../vault/create-key-vault';
import type { BoundCiphertext, KeyRing, KeyVault, MasterKeyMaterial } from '../vault/key-vault-types';

/** The key, instance and user-scope services behind `llm.keys`, `llm.instances` and `llm.forUser`. */
export interface TenancyServices {
  /** Users' and the host's keys. */
  keys: KeyService;
  /** Definitions, instances and sharing. */
  instances: InstanceService;
  /** Per-user scopes, TTL-cached. */
  scopes: UserScopeLoader;
}

/** What the services need from the manager. */
export interface TenancyServicesOptions {
  /** Storage. */
  storage: Storage;
  /** The vault's master key or key ring (checked by the manager when it was created). */
  masterKey: MasterKeyMaterial | KeyRing;
  /** Configured providers. */
  providers: ReadonlyMap<string, LanguageModelProvider>;
  /** Fetch for key tests. */
  fetch: typeof globalThis.fetch;
  /** The host's tier of a user. */
  resolveTier?: (userId: string) => string | undefined | Promise<string | undefined>;
  /** How long a user's scope is reused. */
  scopeTtlMs?: number;
}

// Loaded on demand by the manager (only with a vault), so the core entry carries neither the vault's
// cipher code nor every provider factory that instances can be built from.
export async function createTenancyServices(options: TenancyServicesOptions): Promise<TenancyServices> {
  const vault = createKeyVault({ masterKey: options.masterKey });
  let scopes: UserScopeLoader | undefined;
  const keys = createKeyService({ storage: options.storage, vault, providers: options.providers, fetch: options.fetch, onChange: (owner) => scopes?.invalidate(owner) });
  const instances = createInstanceService({ storage: options.storage, vault, onChange: (user) => scopes?.invalidate(user) });
  scopes = createUserScopeLoader({ storage: options.storage, keys, instances, resolveTier: options.resolveTier, ttlMs: options.scopeTtlMs });
  await verifyAgainstStoredKeys(options.storage, vault);
  await instances.seedSystemDefinitions();
  return { keys, instances, scopes };
}

/**
 * Decrypts one stored key per vault key id before anything else is read, so a wrong master key (or a ring
 * missing an old key) fails once with a VaultError naming the key id, instead of every user's call failing
 * later. With nothing stored yet there is nothing a wrong key could garble.
 */
async function verifyAgainstStoredKeys(storage: Storage, vault: KeyVault): Promise<void> {
  const samples: BoundCiphertext[] = [];
  const seenKeyIds = new Set<string>();
  for (const kind of ['provider-config', 'provider-instance'] as const) {
    for (const record of await storage.listEncryptedKeys({ kind, limit: 200 })) {
      if (seenKeyIds.has(record.keyId)) continue;
      seenKeyIds.add(record.keyId);
      samples.push({ ciphertext: record.keyCiphertext, binding: { ownerId: record.ownerId, provider: record.provider, recordId: vaultRecordId(kind, record.id) } });
    }
  }
  await vault.verify({ samples });
}
