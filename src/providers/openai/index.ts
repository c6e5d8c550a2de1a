export { createOpenAI, type OpenAIProviderOptions } from './openai-provider';
export { createOpenAIWireProvider, type OpenAIWireProviderSettings, type OpenAIChatApi } from './openai-wire-provider';
export { openAIQuirks, genericCompatibleQuirks, type OpenAIChatQuirks } from './openai-quirks';
export type { OpenAIAuthStyle } from './openai-endpoint';
