export * from './openai/index';
export * from './openai-compatible/index';
export * from './anthropic/index';
export * from './google/index';
export * from './cohere/index';
export * from './ollama/index';
