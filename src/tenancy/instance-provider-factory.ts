import { ConfigurationError } from '../errors/configuration-error';
import { createAnthropic } from '../providers/anthropic/index';
import { createCohere } from '../providers/cohere/index';
import { createGoogle } from '../providers/google/index';
import { createOllama } from '../providers/ollama/index';
import { createOpenAI } from '../providers/openai/index';
import {
  createOpenAICompatible,
  createOpenAICompatiblePreset,
  openAICompatiblePresets,
  type OpenAICompatiblePresetName,
} from '../providers/openai-compatible/index';
import type { LanguageModelProvider } from '../spec/provider';
import type { StoredSettings } from '../spec/storage';
import type { WireStandard } from './tenancy-input';

/** What is needed to build the adapter of a definition or instance. */
export interface ProviderBlueprint {
  /** Provider id of the adapter (the instance id, which model references name). */
  id: string;
  /** Wire standard. */
  standard: string;
  /** Endpoint; the standard's (or preset's) default when absent. */
  baseUrl?: string;
  /** Model: the chat default, or the embedding default when `embeddingDimensions` is set. */
  model?: string;
  /** Declared embedding dimensions (makes `model` the embedding model). */
  embeddingDimensions?: number;
  /** `preset` (an OpenAI-compatible preset name) and `local` (a server on the user's machine) are read. */
  settings?: StoredSettings;
}

/** Names of the OpenAI-compatible presets. */
export const presetNames = Object.keys(openAICompatiblePresets) as OpenAICompatiblePresetName[];

function presetOf(settings: StoredSettings | undefined): OpenAICompatiblePresetName | undefined {
  const preset = settings?.preset;
  if (preset === undefined) return undefined;
  if (typeof preset !== 'string' || !(presetNames as string[]).includes(preset)) {
    throw new ConfigurationError(`settings.preset must be one of ${presetNames.join(', ')}`);
  }
  return preset as OpenAICompatiblePresetName;
}

/**
 * Builds the adapter for a definition or instance with the standard's own factory, without a key: an
 * instance's key is decrypted per resolution and passed per call (`context.apiKey`), so the adapter
 * object never holds it.
 */
export function createProviderFromBlueprint(blueprint: ProviderBlueprint): LanguageModelProvider {
  const embedding = blueprint.embeddingDimensions !== undefined;
  const models = {
    ...(blueprint.model !== undefined && !embedding ? { defaultModel: blueprint.model } : {}),
    ...(blueprint.model !== undefined && embedding ? { defaultEmbeddingModel: blueprint.model } : {}),
  };
  const common = { id: blueprint.id, ...(blueprint.baseUrl !== undefined ? { baseUrl: blueprint.baseUrl } : {}), ...models };
  const standard = blueprint.standard as WireStandard;
  switch (standard) {
    case 'openai':
      return createOpenAI(common);
    case 'anthropic':
      return createAnthropic(common);
    case 'google':
      return createGoogle(common);
    case 'cohere':
      return createCohere(common);
    case 'ollama':
      return createOllama(common);
    case 'openai-compatible': {
      const preset = presetOf(blueprint.settings);
      if (preset) return createOpenAICompatiblePreset(preset, common);
      if (blueprint.baseUrl === undefined) throw new ConfigurationError(`'${blueprint.id}': an openai-compatible endpoint needs a baseUrl or settings.preset`);
      return createOpenAICompatible({ ...common, baseUrl: blueprint.baseUrl, local: blueprint.settings?.local === true });
    }
    default:
      throw new ConfigurationError(`'${blueprint.id}': unknown wire standard '${String(blueprint.standard)}'`);
  }
}
