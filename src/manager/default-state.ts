import { lazyMethods } from '../lazy/lazy-methods';
import type { StateStore } from '../spec/state-store';

type StateMethod = Exclude<keyof StateStore, 'kind'>;

const stateMethods = [
  'consumeWindows', 'adjustWindows', 'acquireSlots', 'renewSlots', 'releaseSlots', 'reserve', 'settle', 'release', 'balance', 'credit',
  'entries', 'cacheGet', 'cacheSet', 'cacheDelete', 'close',
] as const satisfies readonly StateMethod[];

// Fails to compile when the StateStore contract gains a method this list lacks.
const everyMethodListed: Exclude<StateMethod, (typeof stateMethods)[number]> extends never ? true : never = true;
void everyMethodListed;

/**
 * The in-memory state store the manager uses when none is configured, loaded by a dynamic import started
 * when the manager is created, like the default storage: every StateStore method is asynchronous, so a
 * first call that comes before the import is done just waits for it. The core entry then does not
 * compile its code (and its validation) on import.
 */
export function createDefaultState(): StateStore {
  const loading = import('../state/memory/memory-state').then((module) => module.createMemoryState());
  return { kind: 'memory', ...lazyMethods(loading, stateMethods) } as StateStore;
}
