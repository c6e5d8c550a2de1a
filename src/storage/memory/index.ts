export { createMemoryStorage } from './memory-storage';
export { systemOwnerId } from '../system-owner';
export type * from '../../spec/storage';
export { createStorageKeyStore, type StorageKeyStoreOptions } from '../storage-key-store';
