export { createPooledFetch, type PooledFetch, type PooledFetchOptions } from './pooled-fetch';
export { createLLMManager } from './create-node-llm-manager';
