import { AuthenticationError } from '../errors/authentication-error';
import { ConfigurationError } from '../errors/configuration-error';
import { LLMError } from '../errors/llm-error';
import { mapFetchError } from '../http/map-fetch-error';
import type { ProviderChatCall, ProviderChatResult } from '../spec/chat';
import type { ProviderEmbedCall, ProviderEmbedResult } from '../spec/embedding';
import type { ModelInfo } from '../spec/model-info';
import type { LanguageModelProvider, ProviderCallContext } from '../spec/provider';
import type { ProviderStreamPart } from '../spec/stream';
import { abortableSleep } from './manual-clock';
import { mockEmbedding } from './mock-embedding';
import { createMockError, isMockErrorSpec } from './mock-errors';
import type { MockCallRecord, MockChatCallRecord, MockEmbedResponse, MockProviderOptions, MockResponse } from './mock-provider-options';
import { echoReply, estimateTokens, planReply, streamPartsOf } from './mock-reply';

/** The mock: a real `LanguageModelProvider` plus what tests need to script it and look at what it got. */
export interface MockProvider extends LanguageModelProvider {
  /** Every call received, in order (API keys hidden from JSON and inspection). */
  readonly calls: readonly MockCallRecord[];
  /** Appends chat/stream replies to the queue (when `replies` is a queue or was not given). */
  enqueue(...responses: MockResponse[]): void;
  /** Appends embedding answers to their queue. */
  enqueueEmbed(...responses: MockEmbedResponse[]): void;
  /** Forgets the recorded calls and empties both queues. */
  reset(): void;
  embed(call: ProviderEmbedCall, context: ProviderCallContext): Promise<ProviderEmbedResult>;
  listModels(context: ProviderCallContext): Promise<ModelInfo[]>;
}

function checkNonNegative(value: number | undefined, field: string): void {
  if (value !== undefined && !(typeof value === 'number' && Number.isFinite(value) && value >= 0)) {
    throw new ConfigurationError(`createMockProvider: ${field} must be a non-negative number of milliseconds`);
  }
}

function validateOptions(options: MockProviderOptions): void {
  if (options.id !== undefined && (typeof options.id !== 'string' || options.id.trim() === '')) {
    throw new ConfigurationError('createMockProvider: id must be a non-empty string');
  }
  if (options.replies !== undefined && !Array.isArray(options.replies) && typeof options.replies !== 'function') {
    throw new ConfigurationError('createMockProvider: replies must be an array of replies or a function');
  }
  if (options.embedReplies !== undefined && !Array.isArray(options.embedReplies)) {
    throw new ConfigurationError('createMockProvider: embedReplies must be an array');
  }
  if (options.whenExhausted !== undefined && !['echo', 'repeat-last', 'error'].includes(options.whenExhausted)) {
    throw new ConfigurationError('createMockProvider: whenExhausted must be "echo", "repeat-last" or "error"');
  }
  if (options.embeddingDimensions !== undefined && !(Number.isInteger(options.embeddingDimensions) && options.embeddingDimensions > 0)) {
    throw new ConfigurationError('createMockProvider: embeddingDimensions must be a positive integer');
  }
  checkNonNegative(options.latencyMs, 'latencyMs');
  checkNonNegative(options.partDelayMs, 'partDelayMs');
}

/**
 * A deterministic provider for tests and examples. It honours the adapter contract: a stream ends with
 * exactly one `finish` part, and every failure (scripted, aborted, dropped mid-stream) is a thrown
 * `LLMError`. Unscripted calls echo the last user message with usage estimated at four characters a token.
 */
export function createMockProvider(options: MockProviderOptions = {}): MockProvider {
  validateOptions(options);
  const id = options.id ?? 'mock';
  const local = options.local ?? true;
  const defaultModel = options.defaultModel ?? 'mock-model';
  const defaultEmbeddingModel = options.defaultEmbeddingModel ?? 'mock-embedding';
  const sleep = options.sleep ?? abortableSleep;
  const script = options.replies;
  const queue: MockResponse[] = Array.isArray(script) ? [...script] : [];
  const embedQueue: MockEmbedResponse[] = [...(options.embedReplies ?? [])];
  const calls: MockCallRecord[] = [];
  let lastResponse: MockResponse | undefined;

  const pricing = options.pricing ?? { inputPerMillion: 0, outputPerMillion: 0 };
  const chatCapabilities = { tools: true, vision: true, json: true, embedding: false, reasoning: true };
  const knownModels: readonly ModelInfo[] =
    options.knownModels ??
    [
      ...[defaultModel, ...(options.models ?? []).filter((model) => model !== defaultModel)].map<ModelInfo>((model) => ({
        id: `${id}:${model}`, provider: id, model, contextWindow: 128_000, capabilities: chatCapabilities, pricing, local,
      })),
      {
        id: `${id}:${defaultEmbeddingModel}`, provider: id, model: defaultEmbeddingModel,
        capabilities: { tools: false, vision: false, json: false, embedding: true, reasoning: false }, pricing, local,
      },
    ];

  function record<T extends MockCallRecord>(entry: Omit<T, 'index' | 'apiKey'>, context: ProviderCallContext): T {
    const complete = { ...entry, index: calls.length } as T;
    if (context.headers) (complete as { headers?: Record<string, string> }).headers = { ...context.headers };
    const key = context.apiKey ?? options.apiKey;
    // Non-enumerable: tests can assert which key was used, JSON.stringify and inspect never show it.
    if (key !== undefined) Object.defineProperty(complete, 'apiKey', { value: key, enumerable: false });
    calls.push(complete);
    if (options.requireApiKey && key === undefined) {
      throw new AuthenticationError(`${id}: no API key (the mock was created with requireApiKey)`, { provider: id, status: 401 });
    }
    return complete;
  }

  async function wait(milliseconds: number, signal: AbortSignal | undefined): Promise<void> {
    try {
      if (signal?.aborted) throw signal.reason;
      if (milliseconds > 0) await sleep(milliseconds, signal);
    } catch (error) {
      throw mapFetchError(error ?? new DOMException('aborted', 'AbortError'), id, signal);
    }
  }

  async function nextResponse(entry: MockChatCallRecord): Promise<MockResponse> {
    if (typeof script === 'function') return (await script(entry)) ?? echoReply(entry.call);
    const queued = queue.shift();
    if (queued !== undefined) {
      lastResponse = queued;
      return queued;
    }
    const exhausted = options.whenExhausted ?? 'echo';
    if (exhausted === 'repeat-last' && lastResponse !== undefined) return lastResponse;
    if (exhausted === 'error') {
      throw new ConfigurationError(`mock provider ${id}: no scripted reply left for call #${entry.index}`, { provider: id });
    }
    return echoReply(entry.call);
  }

  async function prepare(kind: 'chat' | 'stream', call: ProviderChatCall, context: ProviderCallContext) {
    const model = call.model || defaultModel;
    const entry = record<MockChatCallRecord>({ kind, model, call }, context);
    const response = await nextResponse(entry);
    if (LLMError.isInstance(response) || isMockErrorSpec(response)) {
      const error = createMockError(response, id, model);
      const latency = isMockErrorSpec(response) ? (response.latencyMs ?? options.latencyMs ?? 0) : (options.latencyMs ?? 0);
      await wait(latency, context.signal);
      throw error;
    }
    return planReply(response, call, { provider: id, model, index: entry.index, latencyMs: options.latencyMs ?? 0, partDelayMs: options.partDelayMs ?? 0 });
  }

  const chat = async (call: ProviderChatCall, context: ProviderCallContext): Promise<ProviderChatResult> => {
    const planned = await prepare('chat', call, context);
    await wait(planned.latencyMs, context.signal);
    // A reply scripted to break mid-stream fails a non-streaming call outright.
    if (planned.failWith) throw planned.failWith;
    return planned.result;
  };

  async function* stream(call: ProviderChatCall, context: ProviderCallContext): AsyncGenerator<ProviderStreamPart> {
    const planned = await prepare('stream', call, context);
    const parts = streamPartsOf(planned);
    // A failing stream never reaches its finish part, however large failAfterParts is.
    const failAt = planned.failWith ? Math.min(planned.failAfterParts ?? 0, parts.length - 1) : parts.length;
    await wait(planned.latencyMs, context.signal);
    for (let index = 0; index < parts.length; index++) {
      if (index === failAt) throw planned.failWith!;
      if (index > 0) await wait(planned.partDelayMs, context.signal);
      yield parts[index]!;
    }
  }

  const embed = async (call: ProviderEmbedCall, context: ProviderCallContext): Promise<ProviderEmbedResult> => {
    const model = call.model || defaultEmbeddingModel;
    record<Extract<MockCallRecord, { kind: 'embed' }>>({ kind: 'embed', model, call }, context);
    const scripted = embedQueue.shift();
    if (scripted !== undefined && (LLMError.isInstance(scripted) || isMockErrorSpec(scripted))) {
      const error = createMockError(scripted, id, model);
      await wait(isMockErrorSpec(scripted) ? (scripted.latencyMs ?? options.latencyMs ?? 0) : (options.latencyMs ?? 0), context.signal);
      throw error;
    }
    await wait(options.latencyMs ?? 0, context.signal);
    const dimensions = call.dimensions ?? options.embeddingDimensions ?? 8;
    const embeddings = scripted?.embeddings ?? call.input.map((text) => mockEmbedding(model, text, dimensions));
    const usage = scripted?.usage ?? { inputTokens: call.input.reduce((sum, text) => sum + estimateTokens(text), 0) };
    return { embeddings, usage, model };
  };

  const listModels = async (context: ProviderCallContext): Promise<ModelInfo[]> => {
    record<Extract<MockCallRecord, { kind: 'list-models' }>>({ kind: 'list-models' }, context);
    await wait(options.latencyMs ?? 0, context.signal);
    return [...knownModels];
  };

  return {
    id,
    wireFormat: 'mock',
    local,
    defaultModel,
    defaultEmbeddingModel,
    hasApiKey: options.requireApiKey ? options.apiKey !== undefined : true,
    baseUrl: options.baseUrl ?? `mock://${id}`,
    knownModels,
    calls,
    chat,
    stream,
    embed,
    listModels,
    enqueue(...responses) {
      if (typeof script === 'function') {
        throw new ConfigurationError(`mock provider ${id}: replies is a function; enqueue needs a reply queue`, { provider: id });
      }
      queue.push(...responses);
    },
    enqueueEmbed(...responses) {
      embedQueue.push(...responses);
    },
    reset() {
      calls.length = 0;
      queue.length = 0;
      embedQueue.length = 0;
      lastResponse = undefined;
    },
  };
}
