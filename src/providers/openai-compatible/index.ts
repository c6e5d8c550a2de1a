export { createOpenAICompatible, type OpenAICompatibleOptions } from './openai-compatible-provider';
export { openAICompatiblePresets, type OpenAICompatiblePreset, type OpenAICompatiblePresetName } from './openai-compatible-presets';
export {
  createOpenAICompatiblePreset,
  createOpenRouter,
  createGroq,
  createTogether,
  createFireworks,
  createDeepInfra,
  createMistral,
  createXai,
  createDeepSeek,
  createLMStudio,
  createLocalAI,
  createVllm,
  createLlamaCpp,
  type OpenAICompatiblePresetOptions,
} from './openai-compatible-preset-factories';
