import { ConfigurationError } from '../errors/configuration-error';
import { InvalidRequestError } from '../errors/invalid-request-error';
import type { LanguageModelProvider } from '../spec/provider';
import type { ProviderDefinitionRecord, ProviderInstanceRecord, ProviderInstanceView, Storage, StoredSettings } from '../spec/storage';
import type { KeyVault } from '../vault/key-vault-types';
import { decryptWithLazyReencryption } from '../vault/lazy-reencryption';
import { maskApiKey } from '../vault/mask-api-key';
import type { RotatableKeyStore } from '../vault/rotatable-key-store';
import { bindInstanceProvider } from './instance-provider';
import { createProviderFromBlueprint } from './instance-provider-factory';
import { providerInstanceBinding, randomRecordId } from './key-record-binding';
import { isSystemDefinition, seedSystemDefinitions } from './system-definitions';
import { number, nullish, object, optional, record, string, unknownValue } from '../validation/input-schema';
import { apiKeySchema, baseUrlSchema, parseInput, recordIdSchema, standardSchema, userIdSchema } from './tenancy-input';
import { createVaultKeyStore } from './vault-key-store';

/** Options of `createInstanceService`. */
export interface InstanceServiceOptions {
  /** Where definitions, instances and shares are stored. */
  storage: Storage;
  /** Encrypts and decrypts instance keys. */
  vault: KeyVault;
  /** Rotation store over `storage` used for lazy re-encryption; default `createVaultKeyStore(storage)`. */
  keyStore?: RotatableKeyStore;
  /** Clock. Default `Date.now`. */
  now?: () => number;
  /** Called with every user whose visible instances changed (owner and sharees), for the user scope cache. */
  onChange?: (userId: string) => void;
  /** Receives failures to write a lazily re-encrypted key back. */
  onError?: (error: unknown) => void;
}

/** A definition as listed. */
export interface DefinitionView {
  /** Id (`system.openai.text-embedding-3-small`, or the user's own). */
  id: string;
  /** Built in and immutable. */
  system: boolean;
  /** Human-readable name. */
  name: string;
  /** Wire standard. */
  standard: string;
  /** Endpoint. */
  baseUrl?: string;
  /** Model id. */
  model?: string;
  /** Vector size, for embedding definitions. */
  embeddingDimensions?: number;
  /** Further options (`preset`, `local`, `requestDimensions`). */
  settings?: StoredSettings;
}

/** An instance as one user sees it. Never the key or its ciphertext; the mask only for the owner. */
export interface InstanceView {
  /** Id; also the provider id model references use (`<id>:<model>`). */
  id: string;
  /** The user who owns it. */
  ownerId: string;
  /** `owner`, or `shared` (read-only: callable, not readable or changeable). */
  access: 'owner' | 'shared';
  /** Human-readable name. */
  name: string;
  /** Definition it was made from. */
  definitionId?: string;
  /** Wire standard. */
  standard: string;
  /** Endpoint. */
  baseUrl?: string;
  /** Model id. */
  model?: string;
  /** Declared vector size. */
  embeddingDimensions?: number;
  /** Whether it holds a key of its own. */
  hasKey: boolean;
  /** Masked key, shown to the owner only. */
  keyHint?: string;
  /** Further options. */
  settings?: StoredSettings;
  /** When it was created. */
  createdAt: number;
  /** When it was last changed. */
  updatedAt: number;
}

/** Input of `createInstance`. */
export interface CreateInstanceInput {
  /** Id; a random `inst-…` id when absent. Letters, digits, `.`, `_`, `-` (it is used in model references). */
  id?: string;
  /** Human-readable name; the definition's when absent. */
  name?: string;
  /** Definition to copy standard, endpoint, model, dimensions and settings from. */
  definitionId?: string;
  /** Wire standard; required without a definition, must match it with one. */
  standard?: string;
  /** Endpoint override. */
  baseUrl?: string;
  /** Model override. */
  model?: string;
  /** Declared vector size (embedding instances). */
  embeddingDimensions?: number;
  /** The instance's API key; stored encrypted. */
  apiKey?: string;
  /** Further options, merged over the definition's. */
  settings?: StoredSettings;
}

/** Changes of `updateInstance`; `apiKey: null` removes the key. */
export interface UpdateInstanceInput {
  /** New name. */
  name?: string;
  /** New endpoint. */
  baseUrl?: string;
  /** New model. */
  model?: string;
  /** New declared vector size. */
  embeddingDimensions?: number;
  /** New key, or null to remove it. */
  apiKey?: string | null;
  /** Replaces the settings. */
  settings?: StoredSettings;
}

/** Input of `saveDefinition`. */
export interface SaveDefinitionInput {
  /** Id; a random `def-…` id when absent. Saving an existing id of the user replaces it. */
  id?: string;
  /** Human-readable name. */
  name: string;
  /** Wire standard. */
  standard: string;
  /** Endpoint. */
  baseUrl?: string;
  /** Model id. */
  model?: string;
  /** Vector size, for embedding definitions. */
  embeddingDimensions?: number;
  /** Further options. */
  settings?: StoredSettings;
}

/** Provider definitions (templates), provider instances (a user's configured endpoints) and read-only sharing. */
export interface InstanceService {
  /** Stores the built-in definitions that are missing; returns the inserted ids. */
  seedSystemDefinitions(): Promise<string[]>;
  /** Built-in definitions and the user's own. */
  listDefinitions(userId: string): Promise<DefinitionView[]>;
  /** A built-in definition or one of the user's. */
  getDefinition(userId: string, id: string): Promise<DefinitionView | undefined>;
  /** Creates or replaces one of the user's definitions. Built-in ones cannot be changed. */
  saveDefinition(userId: string, input: SaveDefinitionInput): Promise<DefinitionView>;
  /** Deletes one of the user's definitions; built-in ones cannot be deleted. */
  removeDefinition(userId: string, id: string): Promise<boolean>;
  /** Creates an instance owned by the user. */
  createInstance(userId: string, input: CreateInstanceInput): Promise<InstanceView>;
  /** Changes an instance the user owns; a shared one is read-only. */
  updateInstance(userId: string, id: string, changes: UpdateInstanceInput): Promise<InstanceView>;
  /** An instance the user owns or that is shared with them. */
  getInstance(userId: string, id: string): Promise<InstanceView | undefined>;
  /** The instances the user owns and those shared with them. */
  listInstances(userId: string): Promise<InstanceView[]>;
  /** Deletes an instance the user owns (and its shares); a shared one is read-only. */
  removeInstance(userId: string, id: string): Promise<boolean>;
  /** Shares an owned instance read-only with another user. */
  shareInstance(input: { ownerId: string; instanceId: string; withUserId: string }): Promise<void>;
  /** Withdraws a share; true when one existed. */
  unshareInstance(input: { ownerId: string; instanceId: string; withUserId: string }): Promise<boolean>;
  /** Users an owned instance is shared with. */
  listShares(ownerId: string, instanceId: string): Promise<string[]>;
  /**
   * The adapter to call an instance the user owns or that is shared with them: built with its standard's
   * factory, its key decrypted (lazily re-encrypted) and passed per call, embedding dimensions checked.
   */
  resolveProvider(userId: string, instanceId: string): Promise<LanguageModelProvider>;
}

const settingsSchema = optional(record(unknownValue));
const dimensionsSchema = optional(number({ integer: true, min: 1, max: 65_536 }));
const nameSchema = string({ min: 1, max: 200 });
const modelSchema = optional(string({ min: 1, max: 191 }));

const definitionSchema = object({
  id: optional(recordIdSchema),
  name: nameSchema,
  standard: standardSchema,
  baseUrl: baseUrlSchema,
  model: modelSchema,
  embeddingDimensions: dimensionsSchema,
  settings: settingsSchema,
});

const createSchema = object({
  id: optional(recordIdSchema),
  name: optional(nameSchema),
  definitionId: optional(string({ min: 1, max: 191 })),
  standard: optional(standardSchema),
  baseUrl: baseUrlSchema,
  model: modelSchema,
  embeddingDimensions: dimensionsSchema,
  apiKey: optional(apiKeySchema),
  settings: settingsSchema,
});

const updateSchema = object({
  name: optional(nameSchema),
  baseUrl: baseUrlSchema,
  model: modelSchema,
  embeddingDimensions: dimensionsSchema,
  apiKey: nullish(apiKeySchema),
  settings: settingsSchema,
});

const shareSchema = object({ ownerId: userIdSchema, instanceId: recordIdSchema, withUserId: userIdSchema });

function definitionView(record: ProviderDefinitionRecord): DefinitionView {
  return {
    id: record.id,
    system: isSystemDefinition(record),
    name: record.name,
    standard: record.standard,
    ...(record.baseUrl !== undefined ? { baseUrl: record.baseUrl } : {}),
    ...(record.model !== undefined ? { model: record.model } : {}),
    ...(record.embeddingDimensions !== undefined ? { embeddingDimensions: record.embeddingDimensions } : {}),
    ...(record.settings !== undefined ? { settings: record.settings } : {}),
  };
}

function instanceView(record: ProviderInstanceView): InstanceView {
  return {
    id: record.id,
    ownerId: record.ownerId,
    access: record.access,
    name: record.name,
    ...(record.definitionId !== undefined ? { definitionId: record.definitionId } : {}),
    standard: record.standard,
    ...(record.baseUrl !== undefined ? { baseUrl: record.baseUrl } : {}),
    ...(record.model !== undefined ? { model: record.model } : {}),
    ...(record.embeddingDimensions !== undefined ? { embeddingDimensions: record.embeddingDimensions } : {}),
    hasKey: record.keyCiphertext !== undefined,
    // Even the mask is the owner's business: a sharee may call through the instance, not inspect its key.
    ...(record.access === 'owner' && record.keyHint !== undefined ? { keyHint: record.keyHint } : {}),
    ...(record.settings !== undefined ? { settings: record.settings } : {}),
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}

/** Creates the service behind provider definitions, instances and sharing. */
export function createInstanceService(options: InstanceServiceOptions): InstanceService {
  const { storage, vault } = options;
  if (!storage || typeof storage.saveProviderInstance !== 'function') throw new ConfigurationError('createInstanceService: storage is required');
  if (!vault || typeof vault.encrypt !== 'function') throw new ConfigurationError('createInstanceService: vault is required (createKeyVault({ masterKey }))');
  const now = options.now ?? Date.now;
  const keyStore = options.keyStore ?? createVaultKeyStore(storage, { now: options.now });

  // Builds the adapter once to reject an unusable endpoint when it is saved, not at the first call.
  function checkBuildable(record: Pick<ProviderInstanceRecord, 'id' | 'standard' | 'baseUrl' | 'model' | 'embeddingDimensions' | 'settings'>, what: string) {
    try {
      createProviderFromBlueprint(record);
    } catch (error) {
      throw new InvalidRequestError(`${what}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  async function ownedInstance(userId: string, id: string, what: string): Promise<ProviderInstanceView> {
    const record = await storage.getProviderInstance(userId, id);
    if (!record) throw new InvalidRequestError(`${what}: provider instance '${id}' was not found`);
    if (record.access !== 'owner') throw new InvalidRequestError(`${what}: provider instance '${id}' is shared with you read-only; only its owner can change it`);
    return record;
  }

  async function notifyOwnerAndSharees(ownerId: string, instanceId: string): Promise<void> {
    if (!options.onChange) return;
    options.onChange(ownerId);
    for (const userId of await storage.listProviderInstanceShares(ownerId, instanceId)) options.onChange(userId);
  }

  async function encryptFor(record: Pick<ProviderInstanceRecord, 'id' | 'ownerId'>, apiKey: string) {
    return { keyCiphertext: await vault.encrypt(apiKey, providerInstanceBinding(record)), keyId: vault.currentKeyId, keyHint: maskApiKey(apiKey) };
  }

  return {
    seedSystemDefinitions: () => seedSystemDefinitions(storage, { now }),

    async listDefinitions(userId) {
      const owner = parseInput(userIdSchema, userId, 'listDefinitions userId');
      return (await storage.listProviderDefinitions(owner)).map(definitionView);
    },

    async getDefinition(userId, id) {
      const owner = parseInput(userIdSchema, userId, 'getDefinition userId');
      const record = await storage.getProviderDefinition(owner, id);
      return record ? definitionView(record) : undefined;
    },

    async saveDefinition(userId, input) {
      const owner = parseInput(userIdSchema, userId, 'saveDefinition userId');
      const parsed = parseInput(definitionSchema, input, 'saveDefinition');
      const id = parsed.id ?? randomRecordId('def');
      checkBuildable({ ...parsed, id }, 'saveDefinition');
      const existing = await storage.getProviderDefinition(owner, id);
      if (existing && isSystemDefinition(existing)) throw new InvalidRequestError(`saveDefinition: definition '${id}' is built in and cannot be changed`);
      const time = now();
      const record: ProviderDefinitionRecord = {
        id,
        ownerId: owner,
        name: parsed.name,
        standard: parsed.standard,
        ...(parsed.baseUrl !== undefined ? { baseUrl: parsed.baseUrl } : {}),
        ...(parsed.model !== undefined ? { model: parsed.model } : {}),
        ...(parsed.embeddingDimensions !== undefined ? { embeddingDimensions: parsed.embeddingDimensions } : {}),
        ...(parsed.settings !== undefined ? { settings: parsed.settings } : {}),
        createdAt: existing?.createdAt ?? time,
        updatedAt: time,
      };
      await storage.saveProviderDefinition(record);
      return definitionView(record);
    },

    async removeDefinition(userId, id) {
      const owner = parseInput(userIdSchema, userId, 'removeDefinition userId');
      return storage.deleteProviderDefinition(owner, id);
    },

    async createInstance(userId, input) {
      const owner = parseInput(userIdSchema, userId, 'createInstance userId');
      const parsed = parseInput(createSchema, input, 'createInstance');
      let definition: ProviderDefinitionRecord | undefined;
      if (parsed.definitionId !== undefined) {
        definition = await storage.getProviderDefinition(owner, parsed.definitionId);
        if (!definition) throw new InvalidRequestError(`createInstance: definition '${parsed.definitionId}' was not found`);
        if (parsed.standard !== undefined && parsed.standard !== definition.standard) {
          throw new InvalidRequestError(`createInstance: standard '${parsed.standard}' does not match definition '${definition.id}' (${definition.standard})`);
        }
      } else if (parsed.standard === undefined) {
        throw new InvalidRequestError('createInstance: standard is required when no definitionId is given');
      }
      const id = parsed.id ?? randomRecordId('inst');
      const time = now();
      const settings = definition?.settings || parsed.settings ? { ...definition?.settings, ...parsed.settings } : undefined;
      const baseUrl = parsed.baseUrl ?? definition?.baseUrl;
      const model = parsed.model ?? definition?.model;
      const embeddingDimensions = parsed.embeddingDimensions ?? definition?.embeddingDimensions;
      const record: ProviderInstanceRecord = {
        id,
        ownerId: owner,
        ...(definition ? { definitionId: definition.id } : {}),
        name: parsed.name ?? definition?.name ?? id,
        standard: definition?.standard ?? parsed.standard!,
        ...(baseUrl !== undefined ? { baseUrl } : {}),
        ...(model !== undefined ? { model } : {}),
        ...(embeddingDimensions !== undefined ? { embeddingDimensions } : {}),
        ...(parsed.apiKey !== undefined ? await encryptFor({ id, ownerId: owner }, parsed.apiKey) : {}),
        ...(settings !== undefined ? { settings } : {}),
        createdAt: time,
        updatedAt: time,
      };
      checkBuildable(record, 'createInstance');
      // Ids are global: refuse to overwrite one of the user's own instances by accident, too.
      if (await storage.getProviderInstance(owner, id)) throw new InvalidRequestError(`createInstance: provider instance '${id}' already exists`);
      await storage.saveProviderInstance(record);
      options.onChange?.(owner);
      return instanceView({ ...record, access: 'owner' });
    },

    async updateInstance(userId, id, changes) {
      const owner = parseInput(userIdSchema, userId, 'updateInstance userId');
      const parsed = parseInput(updateSchema, changes, 'updateInstance');
      const current = await ownedInstance(owner, id, 'updateInstance');
      const { access: _access, ...stored } = current;
      const next: ProviderInstanceRecord = { ...stored, updatedAt: now() };
      if (parsed.name !== undefined) next.name = parsed.name;
      if (parsed.baseUrl !== undefined) next.baseUrl = parsed.baseUrl;
      if (parsed.model !== undefined) next.model = parsed.model;
      if (parsed.embeddingDimensions !== undefined) next.embeddingDimensions = parsed.embeddingDimensions;
      if (parsed.settings !== undefined) next.settings = parsed.settings;
      if (parsed.apiKey === null) {
        delete next.keyCiphertext;
        delete next.keyId;
        delete next.keyHint;
      } else if (parsed.apiKey !== undefined) {
        Object.assign(next, await encryptFor(next, parsed.apiKey));
      }
      checkBuildable(next, 'updateInstance');
      await storage.saveProviderInstance(next);
      await notifyOwnerAndSharees(owner, id);
      return instanceView({ ...next, access: 'owner' });
    },

    async getInstance(userId, id) {
      const reader = parseInput(userIdSchema, userId, 'getInstance userId');
      const record = await storage.getProviderInstance(reader, id);
      return record ? instanceView(record) : undefined;
    },

    async listInstances(userId) {
      const reader = parseInput(userIdSchema, userId, 'listInstances userId');
      return (await storage.listProviderInstances(reader)).map(instanceView);
    },

    async removeInstance(userId, id) {
      const owner = parseInput(userIdSchema, userId, 'removeInstance userId');
      const record = await storage.getProviderInstance(owner, id);
      if (!record) return false;
      if (record.access !== 'owner') throw new InvalidRequestError(`removeInstance: provider instance '${id}' is shared with you read-only; only its owner can delete it`);
      const sharees = await storage.listProviderInstanceShares(owner, id);
      const removed = await storage.deleteProviderInstance(owner, id);
      if (removed) for (const user of [owner, ...sharees]) options.onChange?.(user);
      return removed;
    },

    async shareInstance(input) {
      const parsed = parseInput(shareSchema, input, 'shareInstance');
      await ownedInstance(parsed.ownerId, parsed.instanceId, 'shareInstance');
      await storage.shareProviderInstance(parsed.ownerId, parsed.instanceId, parsed.withUserId);
      options.onChange?.(parsed.withUserId);
    },

    async unshareInstance(input) {
      const parsed = parseInput(shareSchema, input, 'unshareInstance');
      const removed = await storage.unshareProviderInstance(parsed.ownerId, parsed.instanceId, parsed.withUserId);
      if (removed) options.onChange?.(parsed.withUserId);
      return removed;
    },

    async listShares(ownerId, instanceId) {
      const owner = parseInput(userIdSchema, ownerId, 'listShares ownerId');
      return storage.listProviderInstanceShares(owner, instanceId);
    },

    async resolveProvider(userId, instanceId) {
      const reader = parseInput(userIdSchema, userId, 'resolveProvider userId');
      const record = await storage.getProviderInstance(reader, instanceId);
      if (!record) throw new InvalidRequestError(`provider instance '${instanceId}' was not found`);
      let apiKey;
      if (record.keyCiphertext !== undefined) {
        const binding = providerInstanceBinding(record);
        ({ apiKey } = await decryptWithLazyReencryption({
          vault,
          store: keyStore,
          record: { id: binding.recordId, ownerId: record.ownerId, provider: binding.provider, ciphertext: record.keyCiphertext },
          actor: reader,
          now: () => new Date(now()),
          onError: options.onError,
        }));
      }
      const adapter = createProviderFromBlueprint(record);
      const requestDimensions = record.settings?.requestDimensions === true;
      return bindInstanceProvider(adapter, {
        ...(apiKey ? { apiKey } : {}),
        ...(record.embeddingDimensions !== undefined ? { embeddingDimensions: record.embeddingDimensions, requestDimensions } : {}),
      });
    },
  };
}
