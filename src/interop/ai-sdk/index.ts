export { fromAISDK, fromAISDKEmbedding, type FromAISDKOptions } from './ai-sdk-provider';
export type { AISDKLanguageModel, AISDKEmbeddingModel, AISDKProvider, AISDKCallOptions, AISDKEmbedOptions, AISDKStreamPart, AISDKUsage } from './ai-sdk-types';
