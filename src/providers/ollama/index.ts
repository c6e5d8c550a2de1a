export { createOllama } from './ollama-provider';
export type { OllamaProviderOptions } from './ollama-options';
