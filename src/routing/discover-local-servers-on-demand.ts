import type { DiscoverLocalOptions, DiscoveryResult } from './local-discovery';

/**
 * Probes the usual local ports (Ollama, LM Studio, LocalAI / llama.cpp, vLLM) and reports the servers that
 * answered, with their models (see `llm-switchyard/routing` for the options). The probing code is imported
 * on the first call: the core entry does not carry it for hosts that never discover.
 */
export async function discoverLocalServers(options: DiscoverLocalOptions = {}): Promise<DiscoveryResult> {
  const discovery = await import('./local-discovery');
  return discovery.discoverLocalServers(options);
}
