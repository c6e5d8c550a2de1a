export {
  createKeyService,
  type KeyService,
  type KeyServiceOptions,
  type ResolvedCredentials,
  type SetKeyInput,
  type StoredKeyInfo,
} from './create-key-service';
export type { KeyTestResult, KeyTestStatus } from './key-test';
export {
  createInstanceService,
  type CreateInstanceInput,
  type DefinitionView,
  type InstanceService,
  type InstanceServiceOptions,
  type InstanceView,
  type SaveDefinitionInput,
  type UpdateInstanceInput,
} from './create-instance-service';
export { bindInstanceProvider, type InstanceBinding } from './instance-provider';
export { createProviderFromBlueprint, type ProviderBlueprint } from './instance-provider-factory';
export { seedSystemDefinitions, systemDefinitions, isSystemDefinition, type SystemDefinition } from './system-definitions';
export { createVaultKeyStore, type VaultKeyStoreOptions } from './vault-key-store';
export { providerConfigBinding, providerInstanceBinding, vaultRecordId, parseVaultRecordId, providerConfigId } from './key-record-binding';
export { createUserScopeLoader, type UserScope, type UserScopeLoader, type UserScopeLoaderOptions } from './user-scope';
export { toProviderLookup, type ProviderLookup, type ProviderLookupInput } from './provider-lookup';
export { wireStandards, type WireStandard } from './tenancy-input';
