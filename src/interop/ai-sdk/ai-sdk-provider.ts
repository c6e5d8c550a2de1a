import { ConfigurationError } from '../../errors/configuration-error';
import { InvalidRequestError } from '../../errors/invalid-request-error';
import { InvalidResponseError } from '../../errors/invalid-response-error';
import { estimateUsage } from '../../providers/shared/estimate-usage';
import { generateToolCallId } from '../../providers/shared/generate-tool-call-id';
import { parseToolArguments } from '../../providers/shared/tool-arguments';
import type { ProviderChatCall, ProviderChatResult } from '../../spec/chat';
import type { ProviderEmbedCall, ProviderEmbedResult } from '../../spec/embedding';
import type { ModelCapabilities, ModelInfo } from '../../spec/model-info';
import type { LanguageModelProvider, ProviderCallContext } from '../../spec/provider';
import type { ProviderStreamPart } from '../../spec/stream';
import type { ToolCall } from '../../spec/tool';
import { fromAISDKError } from './ai-sdk-errors';
import { toAISDKCallOptions } from './ai-sdk-prompt';
import { fromAISDKFinishReason, fromAISDKUsage } from './ai-sdk-results';
import type {
  AISDKCallOptions, AISDKEmbeddingModel, AISDKEmbedOptions, AISDKGenerateResult, AISDKLanguageModel, AISDKProvider, AISDKStreamPart,
} from './ai-sdk-types';

// The structural interfaces leave the option types open (`never`); these are the shapes the adapter passes.
const generate = (model: AISDKLanguageModel, options: AISDKCallOptions) =>
  (model.doGenerate as (options: AISDKCallOptions) => PromiseLike<AISDKGenerateResult>).call(model, options);
const startStream = (model: AISDKLanguageModel, options: AISDKCallOptions) =>
  (model.doStream as (options: AISDKCallOptions) => PromiseLike<{ stream: ReadableStream<AISDKStreamPart> }>).call(model, options);
const embedValues = (model: AISDKEmbeddingModel, options: AISDKEmbedOptions) =>
  (model.doEmbed as (options: AISDKEmbedOptions) => PromiseLike<{ embeddings: number[][]; usage?: { tokens: number } }>).call(model, options);

/** Options of `fromAISDK()`. */
export interface FromAISDKOptions {
  /** Provider id in model refs (`vercel-openai:gpt-4o`). Default: the model's provider name before the dot (`openai`). Required for a provider. */
  id?: string;
  /** Runs on a local server (free, keyless, private): what routing and budgets assume. Default false. */
  local?: boolean;
  /** Model used for `id` alone. Default: the wrapped model's id, or the first of `models`. */
  defaultModel?: string;
  /** Model ids to list in `llm.models()` when wrapping a provider (its catalogue is not enumerable). */
  models?: string[];
  /** An embedding model to serve `embed` with (or, for a wrapped provider, its `embeddingModel(id)` is used). */
  embeddingModel?: AISDKEmbeddingModel;
  /** Embedding model used for `id` alone (default: `embeddingModel`'s id). */
  defaultEmbeddingModel?: string;
  /**
   * What the wrapped chat models can do, for the selector's filters. Default: tools, JSON and vision (what
   * the AI SDK's chat models generally take); set what your models lack, or give `knownModels`.
   */
  capabilities?: Partial<ModelCapabilities>;
  /** Static catalogue with capabilities and prices, for routing and cost (replaces the generated list). */
  knownModels?: readonly ModelInfo[];
}

function isLanguageModel(value: unknown): value is AISDKLanguageModel {
  return typeof value === 'object' && value !== null && typeof (value as AISDKLanguageModel).doGenerate === 'function';
}

function isAISDKProvider(value: unknown): value is AISDKProvider {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as AISDKProvider).languageModel === 'function';
}

function validateId(id: string | undefined): string {
  if (typeof id !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(id)) {
    throw new ConfigurationError(`fromAISDK: id must be 1–64 letters, digits, ".", "_" or "-" (got ${JSON.stringify(id)})`);
  }
  return id;
}

function modelInfo(id: string, model: string, local: boolean, embedding: boolean, capabilities: Partial<ModelCapabilities> = {}): ModelInfo {
  return {
    id: `${id}:${model}`, provider: id, model, local,
    capabilities: embedding
      ? { tools: false, vision: false, json: false, embedding: true, reasoning: false }
      : { tools: true, vision: true, json: true, reasoning: false, ...capabilities, embedding: false },
  };
}

/** Stream parts of one AI SDK stream, as ours; throws typed errors for `error` parts and for a missing finish. */
async function* readAISDKStream(
  stream: ReadableStream<AISDKStreamPart>, call: ProviderChatCall, provider: string, signal: AbortSignal | undefined,
): AsyncGenerator<ProviderStreamPart> {
  const reader = stream.getReader();
  // A model that ignores its abortSignal would leave a read pending forever; cancelling the reader ends it.
  const onAbort = () => void reader.cancel(signal?.reason).catch(() => undefined);
  signal?.addEventListener('abort', onAbort, { once: true });
  const toolNames = new Map<string, string>();
  const providerExecuted = new Set<string>();
  let outputCharacters = 0;
  let finished = false;
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      const part = value as AISDKStreamPart & Record<string, unknown>;
      switch (part.type) {
        case 'response-metadata': {
          const metadata: ProviderStreamPart = { type: 'response-metadata' };
          if (typeof part.id === 'string') metadata.responseId = part.id;
          if (typeof part.modelId === 'string') metadata.model = part.modelId;
          yield metadata;
          break;
        }
        case 'text-delta':
          outputCharacters += String(part.delta).length;
          yield { type: 'text-delta', text: String(part.delta) };
          break;
        case 'reasoning-delta':
          outputCharacters += String(part.delta).length;
          yield { type: 'reasoning-delta', text: String(part.delta) };
          break;
        case 'tool-input-start':
          // Tools the provider runs itself (web search…) are not the caller's to execute.
          if (part.providerExecuted) providerExecuted.add(String(part.id));
          else toolNames.set(String(part.id), String(part.toolName));
          break;
        case 'tool-input-delta': {
          const name = toolNames.get(String(part.id));
          if (name !== undefined) yield { type: 'tool-call-delta', id: String(part.id), name, argumentsDelta: String(part.delta) };
          break;
        }
        case 'tool-call': {
          if (part.providerExecuted || providerExecuted.has(String(part.toolCallId))) break;
          const raw = typeof part.input === 'string' ? part.input : JSON.stringify(part.input ?? {});
          outputCharacters += raw.length;
          const toolCall: ToolCall = { id: String(part.toolCallId || generateToolCallId()), name: String(part.toolName), arguments: parseToolArguments(raw), rawArguments: raw };
          yield { type: 'tool-call', toolCall };
          break;
        }
        case 'finish': {
          const usage = fromAISDKUsage(part.usage as never) ?? estimateUsage(call.messages, outputCharacters);
          finished = true;
          yield { type: 'finish', ...fromAISDKFinishReason(part.finishReason as never), usage };
          return;
        }
        case 'error':
          throw part.error;
        default:
          // text-start/-end, sources, files, raw chunks, warnings: nothing of ours to carry.
          break;
      }
    }
    if (!finished) throw new InvalidResponseError(`${provider}: the AI SDK stream ended without a finish part`, { provider, model: call.model });
  } finally {
    signal?.removeEventListener('abort', onAbort);
    // Leaving early (consumer stopped, error) cancels the model's stream and with it its HTTP request.
    if (!finished) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

/**
 * Wraps a Vercel AI SDK model (LanguageModelV3 / V2, as `ai@6` and `ai@5` use) — or a whole AI SDK provider
 * such as `createOpenAI(...)` — as a provider of ours, so any model the AI SDK supports runs behind our
 * routing, fallback, limits, budgets, cache and usage tracking. The AI SDK is not imported: the model is
 * called through its specification interface (`doGenerate`, `doStream`, `doEmbed`).
 */
export function fromAISDK(model: AISDKLanguageModel | AISDKProvider, options: FromAISDKOptions = {}): LanguageModelProvider {
  const single = isLanguageModel(model) ? model : undefined;
  const catalogue = !single && isAISDKProvider(model) ? model : undefined;
  if (!single && !catalogue) {
    throw new ConfigurationError('fromAISDK: pass an AI SDK language model (openai("gpt-4o")) or provider (createOpenAI(...))');
  }
  if (single && single.specificationVersion !== 'v3' && single.specificationVersion !== 'v2') {
    throw new ConfigurationError(`fromAISDK: unsupported model specification "${String(single.specificationVersion)}" (v3 or v2 expected)`);
  }
  if (catalogue && options.id === undefined) throw new ConfigurationError('fromAISDK: give an id when wrapping an AI SDK provider');
  const id = validateId(options.id ?? single!.provider.split('.')[0]);
  const local = options.local ?? false;
  const defaultModel = options.defaultModel ?? single?.modelId ?? options.models?.[0];
  const embeddingModel = options.embeddingModel;
  const defaultEmbeddingModel = options.defaultEmbeddingModel ?? embeddingModel?.modelId;
  const providerName = single?.provider ?? id;

  function languageModelFor(name: string): AISDKLanguageModel {
    if (single) {
      if (name !== single.modelId) {
        throw new InvalidRequestError(`${id}: this provider wraps only the AI SDK model "${single.modelId}", not "${name}"`, { provider: id, model: name, status: 404 });
      }
      return single;
    }
    return catalogue!.languageModel(name);
  }

  function embeddingModelFor(name: string): AISDKEmbeddingModel {
    if (embeddingModel && name === embeddingModel.modelId) return embeddingModel;
    const make = catalogue?.embeddingModel ?? catalogue?.textEmbeddingModel;
    if (make) return make.call(catalogue, name);
    throw new InvalidRequestError(`${id}: no AI SDK embedding model "${name}"`, { provider: id, model: name, status: 404 });
  }

  function callOptions(call: ProviderChatCall, context: ProviderCallContext): AISDKCallOptions {
    const options = toAISDKCallOptions(call, id);
    if (context.signal) options.abortSignal = context.signal;
    if (context.headers) options.headers = { ...context.headers };
    return options;
  }

  async function chat(call: ProviderChatCall, context: ProviderCallContext): Promise<ProviderChatResult> {
    try {
      const languageModel = languageModelFor(call.model);
      const result = await generate(languageModel, callOptions(call, context));
      let text = '';
      let reasoning = '';
      const toolCalls: ToolCall[] = [];
      for (const part of result.content) {
        if (part.type === 'text') text += String(part.text);
        else if (part.type === 'reasoning') reasoning += String(part.text);
        else if (part.type === 'tool-call' && !part.providerExecuted) {
          const raw = typeof part.input === 'string' ? part.input : JSON.stringify(part.input ?? {});
          toolCalls.push({ id: String(part.toolCallId || generateToolCallId()), name: String(part.toolName), arguments: parseToolArguments(raw), rawArguments: raw });
        }
      }
      const usage = fromAISDKUsage(result.usage)
        ?? estimateUsage(call.messages, text.length + reasoning.length + toolCalls.reduce((sum, toolCall) => sum + toolCall.rawArguments.length, 0));
      const converted: ProviderChatResult = { text, toolCalls, usage, ...fromAISDKFinishReason(result.finishReason) };
      if (reasoning) converted.reasoning = reasoning;
      if (result.response?.id) converted.responseId = result.response.id;
      converted.model = result.response?.modelId ?? languageModel.modelId;
      return converted;
    } catch (error) {
      throw fromAISDKError(error, id, call.model, context.signal);
    }
  }

  async function* stream(call: ProviderChatCall, context: ProviderCallContext): AsyncGenerator<ProviderStreamPart> {
    let parts: AsyncGenerator<ProviderStreamPart>;
    try {
      const { stream: modelStream } = await startStream(languageModelFor(call.model), callOptions(call, context));
      parts = readAISDKStream(modelStream, call, id, context.signal);
    } catch (error) {
      throw fromAISDKError(error, id, call.model, context.signal);
    }
    try {
      yield* parts;
    } catch (error) {
      throw fromAISDKError(error, id, call.model, context.signal);
    }
  }

  async function embed(call: ProviderEmbedCall, context: ProviderCallContext): Promise<ProviderEmbedResult> {
    try {
      const model = embeddingModelFor(call.model);
      const limit = (await model.maxEmbeddingsPerCall) ?? Number.POSITIVE_INFINITY;
      const embeddings: number[][] = [];
      let tokens = 0;
      let counted = true;
      // Models cap values per call (OpenAI 2048, Google 100): split and keep order.
      for (let offset = 0; offset < call.input.length; offset += Number.isFinite(limit) ? limit : call.input.length) {
        const values = call.input.slice(offset, Number.isFinite(limit) ? offset + limit : undefined);
        const request: AISDKEmbedOptions = { values };
        if (context.signal) request.abortSignal = context.signal;
        if (context.headers) request.headers = { ...context.headers };
        if (call.providerOptions) request.providerOptions = call.providerOptions;
        const result = await embedValues(model, request);
        embeddings.push(...result.embeddings);
        if (result.usage) tokens += result.usage.tokens;
        else counted = false;
      }
      const usage = counted ? { inputTokens: tokens } : { inputTokens: Math.ceil(call.input.join('').length / 4), estimated: true };
      return { embeddings, usage, model: model.modelId };
    } catch (error) {
      throw fromAISDKError(error, id, call.model, context.signal);
    }
  }

  const knownModels = options.knownModels ?? [
    ...[...new Set([defaultModel, ...(options.models ?? [])].filter((name): name is string => name !== undefined))].map((name) => modelInfo(id, name, local, false, options.capabilities)),
    ...(defaultEmbeddingModel ? [modelInfo(id, defaultEmbeddingModel, local, true)] : []),
  ];

  const provider: LanguageModelProvider = {
    id, wireFormat: 'ai-sdk', local, hasApiKey: true, baseUrl: `ai-sdk://${providerName}`, knownModels, chat, stream,
  };
  const mutable = provider as { -readonly [K in keyof LanguageModelProvider]: LanguageModelProvider[K] };
  if (defaultModel !== undefined) mutable.defaultModel = defaultModel;
  if (embeddingModel || catalogue?.embeddingModel || catalogue?.textEmbeddingModel) {
    mutable.embed = embed;
    if (defaultEmbeddingModel !== undefined) mutable.defaultEmbeddingModel = defaultEmbeddingModel;
  }
  return provider;
}

/** Wraps an AI SDK embedding model alone as a provider that only embeds (chat calls are refused). */
export function fromAISDKEmbedding(model: AISDKEmbeddingModel, options: Omit<FromAISDKOptions, 'embeddingModel' | 'models' | 'defaultModel'> = {}): LanguageModelProvider {
  if (typeof model?.doEmbed !== 'function') throw new ConfigurationError('fromAISDKEmbedding: pass an AI SDK embedding model (openai.embedding("…"))');
  const id = validateId(options.id ?? model.provider.split('.')[0]);
  const refuse = (call: ProviderChatCall): never => {
    throw new InvalidRequestError(`${id}: this provider wraps only the embedding model "${model.modelId}"; it cannot chat`, { provider: id, model: call.model, status: 404 });
  };
  const embedOnly = fromAISDK(
    { languageModel: (name: string) => refuse({ model: name, messages: [] }) },
    { ...options, id, embeddingModel: model, models: [] },
  );
  return {
    ...embedOnly,
    knownModels: options.knownModels ?? [modelInfo(id, options.defaultEmbeddingModel ?? model.modelId, options.local ?? false, true)],
    async chat(call) {
      return refuse(call);
    },
    // eslint-disable-next-line require-yield
    async *stream(call) {
      refuse(call);
    },
  };
}
