import { createMemoryStorage } from '../../src/storage/memory';
import { describeStorageConformance } from './storage-conformance';

describeStorageConformance('memory', async () => ({ storage: createMemoryStorage() }));
