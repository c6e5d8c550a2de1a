export { createCohere } from './cohere-provider';
export type { CohereProviderOptions } from './cohere-options';
