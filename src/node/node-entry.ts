// The package root as Node resolves it (`node` export condition): the same API, with the pooled transport.
export * from '../index';
export { createLLMManager } from './create-node-llm-manager';
