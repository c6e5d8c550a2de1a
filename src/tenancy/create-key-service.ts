import { AuthenticationError } from '../errors/authentication-error';
import { ConfigurationError } from '../errors/configuration-error';
import { InvalidRequestError } from '../errors/invalid-request-error';
import type { KeySource } from '../spec/attempt';
import type { ProviderConfigRecord, Storage } from '../spec/storage';
import { systemOwnerId } from '../storage/system-owner';
import type { KeyVault } from '../vault/key-vault-types';
import { decryptWithLazyReencryption } from '../vault/lazy-reencryption';
import { maskApiKey } from '../vault/mask-api-key';
import type { RotatableKeyStore } from '../vault/rotatable-key-store';
import { createSecretString, type SecretString } from '../vault/secret-string';
import { providerConfigBinding, providerConfigId, vaultRecordId } from './key-record-binding';
import { testProviderKey, type KeyTestResult } from './key-test';
import { toProviderLookup, type ProviderLookupInput } from './provider-lookup';
import { object, optional } from '../validation/input-schema';
import { apiKeySchema, baseUrlSchema, labelSchema, parseInput, providerIdSchema, userIdSchema } from './tenancy-input';
import { createVaultKeyStore } from './vault-key-store';

/** Options of `createKeyService`. */
export interface KeyServiceOptions {
  /** Where encrypted keys are stored. */
  storage: Storage;
  /** Encrypts and decrypts keys. */
  vault: KeyVault;
  /** The manager's provider adapters (map, list or lookup function): to validate provider ids, test keys and find managed keys. */
  providers?: ProviderLookupInput;
  /** Transport for `keys.test`. Default: `globalThis.fetch`, read at call time. */
  fetch?: typeof globalThis.fetch;
  /** Rotation store over `storage` used for lazy re-encryption; default `createVaultKeyStore(storage)`. */
  keyStore?: RotatableKeyStore;
  /** Time limit of one `keys.test` call. Default 10 s. */
  testTimeoutMs?: number;
  /** Clock. Default `Date.now`. */
  now?: () => number;
  /** Called after a user's keys changed (the user scope cache uses it); the system owner id for managed keys. */
  onChange?: (ownerId: string) => void;
  /** Receives failures to write a lazily re-encrypted key back (the read itself still succeeds). */
  onError?: (error: unknown) => void;
}

/** A stored key as listed: never the key, only its mask. */
export interface StoredKeyInfo {
  /** Provider id. */
  provider: string;
  /** `byok` for a user's key, `managed` for the host's own. */
  keySource: 'byok' | 'managed';
  /** Masked key (`sk-ab...xyz`). */
  keyHint: string;
  /** Label given when it was set. */
  label?: string;
  /** Base URL override given when it was set. */
  baseUrl?: string;
  /** Whether it is used. */
  enabled: boolean;
  /** Vault key id it is encrypted under (shows rotation progress; not secret). */
  vaultKeyId: string;
  /** When it was first set. */
  createdAt: number;
  /** When it was last changed. */
  updatedAt: number;
}

/** Input of `keys.set`. */
export interface SetKeyInput {
  /** The user whose key it is. */
  userId: string;
  /** Provider id (`openai`, `groq`, …); must be a configured provider when the service knows the providers. */
  provider: string;
  /** The API key. Stored only encrypted; never returned. */
  apiKey: string;
  /** Free-text label. */
  label?: string;
  /** Base URL override for this key (for example a regional endpoint). */
  baseUrl?: string;
}

/** Where the key of one call comes from. */
export interface ResolvedCredentials {
  /** Provider id. */
  provider: string;
  /** `byok` (the user's own key), `managed` (the host's) or `local` (none needed). */
  keySource: KeySource;
  /** The key to pass as `context.apiKey`; absent when the adapter's own key (or none) is used. */
  apiKey?: SecretString;
  /** Masked key, for logs and attempts. */
  keyHint?: string;
  /** Base URL override stored with the key. */
  baseUrl?: string;
}

/** Per-user keys (BYOK), the host's managed keys, key tests and per-call credential resolution. */
export interface KeyService {
  /** Stores (or replaces) a user's key for a provider, encrypted; returns the masked listing entry. */
  set(input: SetKeyInput): Promise<StoredKeyInfo>;
  /** The user's keys, masked. */
  list(userId: string): Promise<StoredKeyInfo[]>;
  /** Tests the user's stored key (or `apiKey`, before storing it) with the provider's cheapest call. */
  test(input: { userId: string; provider: string; apiKey?: string; signal?: AbortSignal }): Promise<KeyTestResult>;
  /** Deletes the user's key for a provider; true when there was one. */
  remove(input: { userId: string; provider: string }): Promise<boolean>;
  /** Stores (or replaces) the host's managed key for a provider. */
  setManaged(input: { provider: string; apiKey: string; label?: string; baseUrl?: string }): Promise<StoredKeyInfo>;
  /** The host's stored managed keys, masked. */
  listManaged(): Promise<StoredKeyInfo[]>;
  /** Tests the managed key of a provider: the stored one, else the adapter's own. */
  testManaged(input: { provider: string; signal?: AbortSignal }): Promise<KeyTestResult>;
  /** Deletes the host's stored managed key for a provider. */
  removeManaged(input: { provider: string }): Promise<boolean>;
  /**
   * The key for one call: the user's own key first (`byok`); a local provider needs none (`local`); then
   * a stored managed key, then the adapter's own key (`managed`). Throws `AuthenticationError` when there is none.
   */
  resolveCredentials(input: { userId?: string; provider: string }): Promise<ResolvedCredentials>;
}

const setSchema = object({ userId: userIdSchema, provider: providerIdSchema, apiKey: apiKeySchema, label: labelSchema, baseUrl: baseUrlSchema });
const userProviderSchema = object({ userId: userIdSchema, provider: providerIdSchema });
const testSchema = object({ userId: userIdSchema, provider: providerIdSchema, apiKey: optional(apiKeySchema) });
const managedSetSchema = object({ provider: providerIdSchema, apiKey: apiKeySchema, label: labelSchema, baseUrl: baseUrlSchema });
const providerOnlySchema = object({ provider: providerIdSchema });
const resolveSchema = object({ userId: optional(userIdSchema), provider: providerIdSchema });

function toInfo(record: ProviderConfigRecord): StoredKeyInfo {
  return {
    provider: record.provider,
    keySource: record.userId === systemOwnerId ? 'managed' : 'byok',
    keyHint: record.keyHint,
    ...(record.label !== undefined ? { label: record.label } : {}),
    ...(record.baseUrl !== undefined ? { baseUrl: record.baseUrl } : {}),
    enabled: record.enabled,
    vaultKeyId: record.keyId,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}

/** Creates the key service behind `llm.keys` and the per-call key resolution. */
export function createKeyService(options: KeyServiceOptions): KeyService {
  const { storage, vault } = options;
  if (!storage || typeof storage.saveProviderConfig !== 'function') throw new ConfigurationError('createKeyService: storage is required');
  if (!vault || typeof vault.encrypt !== 'function') throw new ConfigurationError('createKeyService: vault is required (createKeyVault({ masterKey }))');
  const findProvider = toProviderLookup(options.providers);
  const knowsProviders = options.providers !== undefined;
  const keyStore = options.keyStore ?? createVaultKeyStore(storage, { now: options.now });
  const now = options.now ?? Date.now;
  const testTimeoutMs = options.testTimeoutMs ?? 10_000;

  function requireProvider(providerId: string, what: string) {
    const provider = findProvider(providerId);
    if (!provider && knowsProviders) throw new InvalidRequestError(`${what}: provider '${providerId}' is not configured`);
    return provider;
  }

  async function readConfig(ownerId: string, providerId: string): Promise<ProviderConfigRecord | undefined> {
    return storage.getProviderConfig(ownerId, await providerConfigId(ownerId, providerId));
  }

  async function writeKey(ownerId: string, input: { provider: string; apiKey: string; label?: string; baseUrl?: string }): Promise<StoredKeyInfo> {
    const id = await providerConfigId(ownerId, input.provider);
    const existing = await storage.getProviderConfig(ownerId, id);
    const time = now();
    const keyCiphertext = await vault.encrypt(input.apiKey, providerConfigBinding({ id, userId: ownerId, provider: input.provider }));
    const record: ProviderConfigRecord = {
      id,
      userId: ownerId,
      provider: input.provider,
      ...(input.label !== undefined ? { label: input.label } : {}),
      keyCiphertext,
      keyId: vault.currentKeyId,
      keyHint: maskApiKey(input.apiKey),
      ...(input.baseUrl !== undefined ? { baseUrl: input.baseUrl } : {}),
      enabled: true,
      createdAt: existing?.createdAt ?? time,
      updatedAt: time,
    };
    await storage.saveProviderConfig(record);
    options.onChange?.(ownerId);
    return toInfo(record);
  }

  async function removeKey(ownerId: string, providerId: string): Promise<boolean> {
    const removed = await storage.deleteProviderConfig(ownerId, await providerConfigId(ownerId, providerId));
    if (removed) options.onChange?.(ownerId);
    return removed;
  }

  async function decryptConfig(record: ProviderConfigRecord, actor: string): Promise<SecretString> {
    const binding = providerConfigBinding(record);
    const { apiKey } = await decryptWithLazyReencryption({
      vault,
      store: keyStore,
      record: { id: binding.recordId, ownerId: record.userId, provider: record.provider, ciphertext: record.keyCiphertext },
      actor,
      now: () => new Date(now()),
      onError: options.onError,
    });
    return apiKey;
  }

  async function runTest(providerId: string, apiKey: SecretString | undefined, keySource: KeySource, signal: AbortSignal | undefined, what: string) {
    const provider = findProvider(providerId);
    if (!provider) throw new InvalidRequestError(`${what}: provider '${providerId}' is not configured, so its key cannot be tested`);
    if (typeof provider.listModels !== 'function') {
      throw new InvalidRequestError(`${what}: provider '${providerId}' cannot list models, which is the call used to test a key`);
    }
    return testProviderKey({
      provider,
      apiKey: apiKey?.reveal(),
      keySource,
      ...(apiKey ? { keyHint: apiKey.masked } : {}),
      fetch: options.fetch ?? globalThis.fetch,
      timeoutMs: testTimeoutMs,
      signal,
      now,
    });
  }

  return {
    async set(input) {
      const parsed = parseInput(setSchema, input, 'keys.set');
      requireProvider(parsed.provider, 'keys.set');
      return writeKey(parsed.userId, parsed);
    },

    async list(userId) {
      const owner = parseInput(userIdSchema, userId, 'keys.list userId');
      return (await storage.listProviderConfigs(owner)).map(toInfo);
    },

    async test(input) {
      const parsed = parseInput(testSchema, input, 'keys.test');
      let apiKey: SecretString | undefined;
      if (parsed.apiKey !== undefined) {
        apiKey = createSecretString(parsed.apiKey);
      } else {
        const record = await readConfig(parsed.userId, parsed.provider);
        if (!record) throw new InvalidRequestError(`keys.test: user has no key stored for provider '${parsed.provider}'`);
        apiKey = await decryptConfig(record, parsed.userId);
      }
      return runTest(parsed.provider, apiKey, 'byok', input.signal, 'keys.test');
    },

    async remove(input) {
      const parsed = parseInput(userProviderSchema, input, 'keys.remove');
      return removeKey(parsed.userId, parsed.provider);
    },

    async setManaged(input) {
      const parsed = parseInput(managedSetSchema, input, 'keys.setManaged');
      requireProvider(parsed.provider, 'keys.setManaged');
      return writeKey(systemOwnerId, parsed);
    },

    async listManaged() {
      return (await storage.listProviderConfigs(systemOwnerId)).map(toInfo);
    },

    async testManaged(input) {
      const parsed = parseInput(providerOnlySchema, input, 'keys.testManaged');
      const record = await readConfig(systemOwnerId, parsed.provider);
      const apiKey = record ? await decryptConfig(record, systemOwnerId) : undefined;
      return runTest(parsed.provider, apiKey, findProvider(parsed.provider)?.local && !apiKey ? 'local' : 'managed', input.signal, 'keys.testManaged');
    },

    async removeManaged(input) {
      const parsed = parseInput(providerOnlySchema, input, 'keys.removeManaged');
      return removeKey(systemOwnerId, parsed.provider);
    },

    async resolveCredentials(input) {
      const parsed = parseInput(resolveSchema, input, 'resolveCredentials');
      const providerId = parsed.provider;
      if (parsed.userId !== undefined) {
        const own = await readConfig(parsed.userId, providerId);
        if (own?.enabled) {
          const apiKey = await decryptConfig(own, parsed.userId);
          return { provider: providerId, keySource: 'byok', apiKey, keyHint: apiKey.masked, ...(own.baseUrl !== undefined ? { baseUrl: own.baseUrl } : {}) };
        }
      }
      const provider = findProvider(providerId);
      const managed = await readConfig(systemOwnerId, providerId);
      const managedKey = managed?.enabled ? await decryptConfig(managed, parsed.userId ?? systemOwnerId) : undefined;
      const fromManaged = managedKey
        ? { apiKey: managedKey, keyHint: managedKey.masked, ...(managed!.baseUrl !== undefined ? { baseUrl: managed!.baseUrl } : {}) }
        : {};
      // A local server costs nothing whoever's key it gets; pass a stored key along for servers started with one.
      if (provider?.local) return { provider: providerId, keySource: 'local', ...fromManaged };
      // A stored managed key wins over the adapter's own: it is how the host replaces a key without a redeploy.
      if (managedKey) return { provider: providerId, keySource: 'managed', ...fromManaged };
      if (provider?.hasApiKey) return { provider: providerId, keySource: 'managed' };
      throw new AuthenticationError(
        `No API key for provider '${providerId}'${parsed.userId !== undefined ? ' for this user' : ''}: set one with keys.set (the user's own) or keys.setManaged (the host's)`,
        { provider: providerId },
      );
    },
  };
}
