export { createLLMManager, type LLMManager } from './manager/create-llm-manager';
export type { LLMManagerOptions, RoutingOptions } from './manager/manager-options';
export type { ManagerHooks, RequestEvent } from './manager/manager-hooks';
export { ChatStream } from './manager/chat-stream';
export * from './errors/index';
export type * from './spec/index';
