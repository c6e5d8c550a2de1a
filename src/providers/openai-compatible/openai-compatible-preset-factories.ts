import { ConfigurationError } from '../../errors/configuration-error';
import type { LanguageModelProvider } from '../../spec/provider';
import type { OpenAIChatQuirks } from '../openai/openai-quirks';
import type { OpenAIChatApi } from '../openai/openai-wire-provider';
import { createOpenAICompatible } from './openai-compatible-provider';
import { openAICompatiblePresets, type OpenAICompatiblePresetName } from './openai-compatible-presets';

/** Options of a preset factory; everything but the key has a default from the preset. */
export interface OpenAICompatiblePresetOptions {
  /** API key (local servers usually need none). */
  apiKey?: string;
  /** Another base URL (a local server on another port or host, a gateway). */
  baseUrl?: string;
  /** Another instance id, to register the same service twice. */
  id?: string;
  /** Extra headers on every request. */
  headers?: Record<string, string>;
  /** Model for requests that name only the provider. */
  defaultModel?: string;
  /** Embedding model for embed requests that name only the provider. */
  defaultEmbeddingModel?: string;
  /** Quirk overrides. */
  quirks?: Partial<OpenAIChatQuirks>;
  /** `chat-completions` (default) or `responses` where the service has it (xAI). */
  api?: OpenAIChatApi;
}

/** Builds the adapter of a named preset. */
export function createOpenAICompatiblePreset(name: OpenAICompatiblePresetName, options: OpenAICompatiblePresetOptions = {}): LanguageModelProvider {
  const preset = Object.hasOwn(openAICompatiblePresets, name) ? openAICompatiblePresets[name] : undefined;
  if (!preset) {
    throw new ConfigurationError(`unknown OpenAI-compatible preset ${JSON.stringify(name)}; known: ${Object.keys(openAICompatiblePresets).join(', ')}`);
  }
  return createOpenAICompatible({
    id: options.id ?? preset.id,
    baseUrl: options.baseUrl ?? preset.baseUrl,
    apiKey: options.apiKey,
    authStyle: preset.authStyle,
    headers: options.headers,
    local: preset.local,
    quirks: { ...preset.quirks, ...options.quirks },
    defaultModel: options.defaultModel ?? preset.defaultModel,
    defaultEmbeddingModel: options.defaultEmbeddingModel ?? preset.defaultEmbeddingModel,
    embeddings: preset.embeddings,
    api: options.api,
  });
}

/** OpenRouter (`https://openrouter.ai/api/v1`). */
export const createOpenRouter = (options?: OpenAICompatiblePresetOptions) => createOpenAICompatiblePreset('openrouter', options);
/** Groq (`https://api.groq.com/openai/v1`). */
export const createGroq = (options?: OpenAICompatiblePresetOptions) => createOpenAICompatiblePreset('groq', options);
/** Together AI (`https://api.together.xyz/v1`). */
export const createTogether = (options?: OpenAICompatiblePresetOptions) => createOpenAICompatiblePreset('together', options);
/** Fireworks AI (`https://api.fireworks.ai/inference/v1`). */
export const createFireworks = (options?: OpenAICompatiblePresetOptions) => createOpenAICompatiblePreset('fireworks', options);
/** DeepInfra (`https://api.deepinfra.com/v1/openai`). */
export const createDeepInfra = (options?: OpenAICompatiblePresetOptions) => createOpenAICompatiblePreset('deepinfra', options);
/** Mistral AI (`https://api.mistral.ai/v1`). */
export const createMistral = (options?: OpenAICompatiblePresetOptions) => createOpenAICompatiblePreset('mistral', options);
/** xAI Grok (`https://api.x.ai/v1`). */
export const createXai = (options?: OpenAICompatiblePresetOptions) => createOpenAICompatiblePreset('xai', options);
/** DeepSeek (`https://api.deepseek.com/v1`). */
export const createDeepSeek = (options?: OpenAICompatiblePresetOptions) => createOpenAICompatiblePreset('deepseek', options);
/** LM Studio on this machine (`http://localhost:1234/v1`), free. */
export const createLMStudio = (options?: OpenAICompatiblePresetOptions) => createOpenAICompatiblePreset('lmstudio', options);
/** LocalAI on this machine (`http://localhost:8080/v1`), free. */
export const createLocalAI = (options?: OpenAICompatiblePresetOptions) => createOpenAICompatiblePreset('localai', options);
/** vLLM on this machine (`http://localhost:8000/v1`), free. */
export const createVllm = (options?: OpenAICompatiblePresetOptions) => createOpenAICompatiblePreset('vllm', options);
/** llama.cpp's `llama-server` on this machine (`http://localhost:8080/v1`), free. */
export const createLlamaCpp = (options?: OpenAICompatiblePresetOptions) => createOpenAICompatiblePreset('llamacpp', options);
