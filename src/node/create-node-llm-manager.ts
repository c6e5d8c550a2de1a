import { createLLMManager as createPortableManager, type LLMManager } from '../manager/create-llm-manager';
import type { LLMManagerOptions } from '../manager/manager-options';
import { createPooledFetch } from './pooled-fetch';

/** In Node, the manager defaults to a keep-alive pooled undici transport; `close()` releases it. */
export function createLLMManager(options: LLMManagerOptions): LLMManager {
  if (options.fetch) return createPortableManager(options);
  const pool = createPooledFetch();
  const manager = createPortableManager({ ...options, fetch: pool.fetch });
  return {
    ...manager,
    async close() {
      await manager.close();
      await pool.close();
    },
  };
}
