export * from './openai-handler/index';
export * from './ai-sdk/index';
export * from './opentelemetry/index';
