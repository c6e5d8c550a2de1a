export { createLLMManager, type LLMManager, type UsageReports } from './manager/create-llm-manager';
export type { LLMManagerOptions, RoutingOptions, LimitOptions, CacheOptions, UsageOptions } from './manager/manager-options';
export type { ManagerHooks, RequestEvent } from './manager/manager-hooks';
export { ChatStream } from './manager/chat-stream';
export { discoverLocalServers } from './routing/discover-local-servers-on-demand';
export type { DiscoveryResult, DiscoveredServer } from './routing/local-discovery';
export * from './errors/index';
export type * from './spec/index';
