import { anySignal } from '../http/any-signal';
import { LLMError } from '../errors/llm-error';
import { mapFetchError } from '../http/map-fetch-error';
import type { ModelInfo } from '../spec/model-info';

/** Local servers discovery knows. LocalAI and llama.cpp share port 8080 and are told apart by their answer. */
export type LocalServerKind = 'ollama' | 'lmstudio' | 'localai' | 'llamacpp' | 'vllm';

/** A local server that answered, with its models. */
export interface DiscoveredServer {
  /** Which server it is; also the provider preset to register it with. */
  kind: LocalServerKind;
  /** Base URL to give the provider adapter (`http://127.0.0.1:11434` for Ollama, `…/v1` for OpenAI-compatible servers). */
  baseUrl: string;
  /** Models it serves (`id` is `<kind>:<model>`, `local` is true). */
  models: ModelInfo[];
}

/** A probe that found nothing. */
export interface UnreachableServer {
  /** The URL probed. */
  url: string;
  /** Why it failed (connection refused, timeout, unexpected answer). */
  reason: string;
}

/** What discovery found. */
export interface DiscoveryResult {
  /** Servers that answered. */
  servers: DiscoveredServer[];
  /** Probes that did not. */
  unreachable: UnreachableServer[];
}

/** Where and how to look. */
export interface DiscoverLocalOptions {
  /** The fetch to use (default `globalThis.fetch`, read at call time). */
  fetch?: typeof globalThis.fetch;
  /** Hosts to probe (default `['127.0.0.1']`). */
  hosts?: readonly string[];
  /** Port overrides per server (defaults: Ollama 11434, LM Studio 1234, LocalAI / llama.cpp 8080, vLLM 8000). */
  ports?: Partial<Record<'ollama' | 'lmstudio' | 'localai' | 'vllm', number>>;
  /** Timeout per probe in milliseconds (default 300: a local server answers at once or is not there). */
  timeoutMs?: number;
  /** Aborts every probe. */
  signal?: AbortSignal;
}

type ProbeKind = 'ollama' | 'lmstudio' | 'localai' | 'vllm';

const defaultPorts: Record<ProbeKind, number> = { ollama: 11434, lmstudio: 1234, localai: 8080, vllm: 8000 };

function localModel(kind: LocalServerKind, model: string, contextWindow?: number): ModelInfo {
  const info: ModelInfo = {
    id: `${kind}:${model}`,
    provider: kind,
    model,
    local: true,
    // Unknown capabilities are false; only embedding models are recognisable by name.
    capabilities: { tools: false, vision: false, json: false, embedding: /embed|bge|e5-|minilm|nomic/i.test(model), reasoning: false },
  };
  if (contextWindow !== undefined) info.contextWindow = contextWindow;
  return info;
}

async function probe(kind: ProbeKind, host: string, port: number, options: DiscoverLocalOptions): Promise<DiscoveredServer> {
  const fetcher = options.fetch ?? globalThis.fetch;
  const origin = `http://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}`;
  const url = kind === 'ollama' ? `${origin}/api/tags` : `${origin}/v1/models`;
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 300);
  const signal = options.signal ? anySignal([options.signal, timeout]) : timeout;
  let body: any;
  try {
    const response = await fetcher(url, { signal, headers: { accept: 'application/json' } });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    body = await response.json();
  } catch (error) {
    throw LLMError.isInstance(error) ? error : error instanceof Error && /^HTTP \d+$/.test(error.message) ? error : mapFetchError(error, kind, signal);
  }
  if (kind === 'ollama') {
    if (!Array.isArray(body?.models)) throw new Error('not an Ollama /api/tags answer');
    return { kind, baseUrl: origin, models: body.models.map((model: { name?: string; model?: string }) => localModel('ollama', String(model.name ?? model.model))) };
  }
  if (!Array.isArray(body?.data)) throw new Error('not an OpenAI-style /v1/models answer');
  const entries = body.data as Array<{ id: string; owned_by?: string; max_model_len?: number; meta?: { n_ctx_train?: number } }>;
  const resolved: LocalServerKind = kind === 'localai' && entries.some((entry) => entry.owned_by === 'llamacpp') ? 'llamacpp' : kind;
  return {
    kind: resolved,
    baseUrl: `${origin}/v1`,
    models: entries.map((entry) => localModel(resolved, String(entry.id), entry.max_model_len ?? entry.meta?.n_ctx_train)),
  };
}

/**
 * Probes the usual local LLM servers in parallel with short timeouts and returns those that answered
 * with their models. Nothing is registered here: the manager turns each server into a provider
 * (`createOllama({ baseUrl })`, `createOpenAICompatible({ preset: kind, baseUrl })`).
 */
export async function discoverLocalServers(options: DiscoverLocalOptions = {}): Promise<DiscoveryResult> {
  const hosts = options.hosts ?? ['127.0.0.1'];
  const ports = { ...defaultPorts, ...options.ports };
  const probes = hosts.flatMap((host) => (Object.keys(ports) as ProbeKind[]).map((kind) => ({ kind, host, port: ports[kind] })));
  const settled = await Promise.allSettled(probes.map((item) => probe(item.kind, item.host, item.port, options)));
  const result: DiscoveryResult = { servers: [], unreachable: [] };
  settled.forEach((outcome, index) => {
    const item = probes[index]!;
    if (outcome.status === 'fulfilled') result.servers.push(outcome.value);
    else result.unreachable.push({ url: `http://${item.host}:${item.port}`, reason: outcome.reason instanceof Error ? outcome.reason.message : String(outcome.reason) });
  });
  return result;
}
