export * from './openai-handler/index';
export * from './ai-sdk/index';
