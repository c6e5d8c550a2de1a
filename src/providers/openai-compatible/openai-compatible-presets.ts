import type { OpenAIAuthStyle } from '../openai/openai-endpoint';
import { genericCompatibleQuirks, type OpenAIChatQuirks } from '../openai/openai-quirks';

/** What is known about one OpenAI-compatible service. */
export interface OpenAICompatiblePreset {
  /** Default instance id. */
  id: string;
  /** Human-readable name. */
  name: string;
  /** Base URL including the version segment. */
  baseUrl: string;
  /** How the key is sent. */
  authStyle: OpenAIAuthStyle;
  /** Runs on the user's machine: free, needs no key. */
  local: boolean;
  /** Where the service departs from OpenAI. */
  quirks: OpenAIChatQuirks;
  /** Model used when a request names only the provider; local servers serve whatever is loaded. */
  defaultModel?: string;
  /** Embedding model used when an embed request names only the provider. */
  defaultEmbeddingModel?: string;
  /** Whether the service has `/embeddings`. */
  embeddings: boolean;
  /** Environment variable where hosts conventionally keep this service's key (the adapter never reads it). */
  apiKeyEnvironmentVariable?: string;
}

/** The preset names. */
export type OpenAICompatiblePresetName =
  | 'openrouter' | 'groq' | 'together' | 'fireworks' | 'deepinfra' | 'mistral' | 'xai' | 'deepseek'
  | 'lmstudio' | 'localai' | 'vllm' | 'llamacpp';

const quirks = (overrides: Partial<OpenAIChatQuirks>): OpenAIChatQuirks => ({ ...genericCompatibleQuirks, ...overrides });

function hosted(id: string, name: string, baseUrl: string, rest: Partial<OpenAICompatiblePreset>): OpenAICompatiblePreset {
  return { id, name, baseUrl, authStyle: 'bearer', local: false, quirks: genericCompatibleQuirks, embeddings: false, ...rest };
}

// Local servers answer without a key (vLLM and llama.cpp take one if started with `--api-key`) and
// serve whatever model is loaded, so they have no default model; usage is reported by recent versions.
function local(id: string, name: string, baseUrl: string): OpenAICompatiblePreset {
  return { id, name, baseUrl, authStyle: 'bearer', local: true, quirks: genericCompatibleQuirks, embeddings: true };
}

/** Base URL, auth, quirks and defaults of each supported OpenAI-compatible service. */
export const openAICompatiblePresets: Readonly<Record<OpenAICompatiblePresetName, OpenAICompatiblePreset>> = {
  openrouter: hosted('openrouter', 'OpenRouter', 'https://openrouter.ai/api/v1', {
    defaultModel: 'openai/gpt-4o-mini',
    // OpenRouter streams `: OPENROUTER PROCESSING` comments while a request waits for an upstream.
    quirks: quirks({ keepAliveComments: true }),
    apiKeyEnvironmentVariable: 'OPENROUTER_API_KEY',
  }),
  groq: hosted('groq', 'Groq', 'https://api.groq.com/openai/v1', {
    defaultModel: 'llama-3.3-70b-versatile',
    // Usage comes on the final chunk and again under `x_groq.usage`; the first chunk carries `x_groq.id`.
    quirks: quirks({ usagePlacement: 'x-groq' }),
    apiKeyEnvironmentVariable: 'GROQ_API_KEY',
  }),
  together: hosted('together', 'Together AI', 'https://api.together.xyz/v1', {
    defaultModel: 'meta-llama/Llama-3.3-70B-Instruct-Turbo',
    defaultEmbeddingModel: 'BAAI/bge-base-en-v1.5',
    embeddings: true,
    apiKeyEnvironmentVariable: 'TOGETHER_API_KEY',
  }),
  fireworks: hosted('fireworks', 'Fireworks AI', 'https://api.fireworks.ai/inference/v1', {
    defaultModel: 'accounts/fireworks/models/llama-v3p3-70b-instruct',
    defaultEmbeddingModel: 'nomic-ai/nomic-embed-text-v1.5',
    embeddings: true,
    apiKeyEnvironmentVariable: 'FIREWORKS_API_KEY',
  }),
  deepinfra: hosted('deepinfra', 'DeepInfra', 'https://api.deepinfra.com/v1/openai', {
    defaultModel: 'meta-llama/Llama-3.3-70B-Instruct',
    defaultEmbeddingModel: 'BAAI/bge-base-en-v1.5',
    embeddings: true,
    apiKeyEnvironmentVariable: 'DEEPINFRA_API_KEY',
  }),
  mistral: hosted('mistral', 'Mistral AI', 'https://api.mistral.ai/v1', {
    defaultModel: 'mistral-small-latest',
    defaultEmbeddingModel: 'mistral-embed',
    embeddings: true,
    // Mistral rejects unknown body fields and reports usage on the finish chunk; reasoning models send
    // `content` as an array of `thinking` / `text` parts.
    quirks: quirks({ streamOptions: false, usagePlacement: 'finish-chunk' }),
    apiKeyEnvironmentVariable: 'MISTRAL_API_KEY',
  }),
  xai: hosted('xai', 'xAI', 'https://api.x.ai/v1', {
    defaultModel: 'grok-3-mini',
    // Repeats the finish chunk; counts reasoning tokens outside `completion_tokens`.
    apiKeyEnvironmentVariable: 'XAI_API_KEY',
  }),
  deepseek: hosted('deepseek', 'DeepSeek', 'https://api.deepseek.com/v1', {
    defaultModel: 'deepseek-chat',
    // Usage on the finish chunk (`usage: null` elsewhere), `: keep-alive` comments while queued,
    // `json_object` only.
    quirks: quirks({ usagePlacement: 'finish-chunk', keepAliveComments: true, jsonSchema: false }),
    apiKeyEnvironmentVariable: 'DEEPSEEK_API_KEY',
  }),
  lmstudio: local('lmstudio', 'LM Studio', 'http://localhost:1234/v1'),
  localai: local('localai', 'LocalAI', 'http://localhost:8080/v1'),
  vllm: local('vllm', 'vLLM', 'http://localhost:8000/v1'),
  llamacpp: local('llamacpp', 'llama.cpp server', 'http://localhost:8080/v1'),
};
