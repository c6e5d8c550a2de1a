export * from './openai-handler/index';
