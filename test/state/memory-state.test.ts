import { createMemoryState } from '../../src/state/memory';
import { describeStateStoreConformance } from './state-store-conformance';

describeStateStoreConformance('memory', {
  create: async () => ({ store: createMemoryState(), close: async () => {} }),
});
