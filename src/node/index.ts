export { createPooledFetch, type PooledFetch, type PooledFetchOptions } from './pooled-fetch';
export { createLLMManager } from './create-node-llm-manager';
export { toNodeHandler, type NodeHandlerOptions, type NodeRequestListener, type WebRequestHandler } from './node-http-adapter';
