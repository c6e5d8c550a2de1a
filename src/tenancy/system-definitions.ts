import { LLMError } from '../errors/llm-error';
import type { ProviderDefinitionRecord, Storage } from '../spec/storage';
import { systemOwnerId } from '../storage/system-owner';
import { createProviderFromBlueprint, presetNames } from './instance-provider-factory';

/** A built-in definition before it is stored. */
export type SystemDefinition = Omit<ProviderDefinitionRecord, 'ownerId' | 'createdAt' | 'updatedAt'>;

// Embedding models with the dimensions their vectors have. `requestDimensions` asks the provider for
// exactly that size (Gemini returns 3072 by default and truncates on request); Cohere v3 has one size.
const embeddingDefinitions: SystemDefinition[] = [
  { id: 'system.openai.text-embedding-3-large', name: 'OpenAI text-embedding-3-large', standard: 'openai', model: 'text-embedding-3-large', embeddingDimensions: 3072, settings: { requestDimensions: true } },
  { id: 'system.openai.text-embedding-3-small', name: 'OpenAI text-embedding-3-small', standard: 'openai', model: 'text-embedding-3-small', embeddingDimensions: 1536, settings: { requestDimensions: true } },
  { id: 'system.cohere.embed-multilingual-v3.0', name: 'Cohere embed-multilingual-v3.0', standard: 'cohere', model: 'embed-multilingual-v3.0', embeddingDimensions: 1024 },
  { id: 'system.cohere.embed-v4.0', name: 'Cohere embed-v4.0', standard: 'cohere', model: 'embed-v4.0', embeddingDimensions: 1536, settings: { requestDimensions: true } },
  { id: 'system.google.gemini-embedding-001', name: 'Google gemini-embedding-001', standard: 'google', model: 'gemini-embedding-001', embeddingDimensions: 768, settings: { requestDimensions: true } },
];

const standardNames: Record<string, string> = { openai: 'OpenAI', anthropic: 'Anthropic', google: 'Google Gemini', cohere: 'Cohere', ollama: 'Ollama' };

// Chat definitions take endpoint and default model from the adapters themselves, so they cannot drift.
function chatDefinitions(): SystemDefinition[] {
  const definitions: SystemDefinition[] = [];
  for (const standard of Object.keys(standardNames)) {
    const adapter = createProviderFromBlueprint({ id: standard, standard });
    definitions.push({
      id: `system.${standard}.chat`,
      name: `${standardNames[standard]} chat`,
      standard,
      baseUrl: adapter.baseUrl,
      ...(adapter.defaultModel !== undefined ? { model: adapter.defaultModel } : {}),
      ...(adapter.local ? { settings: { local: true } } : {}),
    });
  }
  for (const preset of presetNames) {
    const adapter = createProviderFromBlueprint({ id: preset, standard: 'openai-compatible', settings: { preset } });
    definitions.push({
      id: `system.${preset}.chat`,
      name: `${preset} chat`,
      standard: 'openai-compatible',
      baseUrl: adapter.baseUrl,
      ...(adapter.defaultModel !== undefined ? { model: adapter.defaultModel } : {}),
      settings: { preset, ...(adapter.local ? { local: true } : {}) },
    });
  }
  return definitions;
}

/** The built-in definitions: five embedding models and one chat definition per provider and preset. */
export function systemDefinitions(): SystemDefinition[] {
  return [...embeddingDefinitions, ...chatDefinitions()];
}

/** Whether a definition is built in (and therefore immutable). */
export function isSystemDefinition(record: Pick<ProviderDefinitionRecord, 'ownerId'>): boolean {
  return record.ownerId === systemOwnerId;
}

/**
 * Stores the built-in definitions that are missing; existing ones are never changed (they are immutable).
 * Safe to run from several processes at once. Returns the ids it inserted.
 */
export async function seedSystemDefinitions(storage: Storage, options: { now?: () => number } = {}): Promise<string[]> {
  const time = (options.now ?? Date.now)();
  const inserted: string[] = [];
  for (const definition of systemDefinitions()) {
    if (await storage.getProviderDefinition(systemOwnerId, definition.id)) continue;
    try {
      await storage.saveProviderDefinition({ ...definition, ownerId: systemOwnerId, createdAt: time, updatedAt: time });
      inserted.push(definition.id);
    } catch (error) {
      // Another process inserted it in between: the system definition is immutable, so saving again is refused.
      if (LLMError.isInstance(error) && error.name === 'InvalidRequestError' && (await storage.getProviderDefinition(systemOwnerId, definition.id))) continue;
      throw error;
    }
  }
  return inserted;
}
