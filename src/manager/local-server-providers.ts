import type { DiscoveredServer } from '../routing/local-discovery';
import type { LanguageModelProvider } from '../spec/provider';

/**
 * Adapters for discovered local servers: Ollama's native API, the others through their OpenAI-compatible
 * preset. The first chat model becomes the default. Loaded on demand so the core does not carry them.
 */
export async function providersForLocalServers(servers: readonly DiscoveredServer[]): Promise<LanguageModelProvider[]> {
  if (servers.length === 0) return [];
  const [{ createOllama }, { createOpenAICompatiblePreset }] = await Promise.all([
    import('../providers/ollama/index'),
    import('../providers/openai-compatible/index'),
  ]);
  return servers.map((server) => {
    const chatModel = server.models.find((model) => !model.capabilities.embedding)?.model;
    const embeddingModel = server.models.find((model) => model.capabilities.embedding)?.model;
    const settings = { baseUrl: server.baseUrl, ...(chatModel ? { defaultModel: chatModel } : {}), ...(embeddingModel ? { defaultEmbeddingModel: embeddingModel } : {}) };
    return server.kind === 'ollama' ? createOllama({ id: 'ollama', ...settings }) : createOpenAICompatiblePreset(server.kind, { id: server.kind, ...settings });
  });
}
