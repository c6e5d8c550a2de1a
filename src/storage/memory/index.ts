export { createMemoryStorage } from './memory-storage';
export { systemOwnerId } from '../system-owner';
export type * from '../../spec/storage';
