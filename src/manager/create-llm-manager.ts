import { AbortedError } from '../errors/aborted-error';
import { AllProvidersFailedError } from '../errors/all-providers-failed-error';
import { InvalidRequestError } from '../errors/invalid-request-error';
import { InvalidResponseError } from '../errors/invalid-response-error';
import { LLMError } from '../errors/llm-error';
import { TimeoutError } from '../errors/timeout-error';
import { mapFetchError } from '../http/map-fetch-error';
import type { Attempt, KeySource } from '../spec/attempt';
import type { ProviderChatCall } from '../spec/chat';
import type { ModelInfo } from '../spec/model-info';
import type { LanguageModelProvider, ProviderCallContext } from '../spec/provider';
import type { ChatRequest, EmbedRequest } from '../spec/request';
import type { ChatResult, Cost, EmbedResult, RoutingExplanation } from '../spec/result';
import type { StreamPart } from '../spec/stream';
import type { ToolCall } from '../spec/tool';
import type { Usage } from '../spec/usage';
import { ChatStream } from './chat-stream';
import { fireHook, type RequestEvent } from './manager-hooks';
import { validateManagerOptions, type LLMManagerOptions } from './manager-options';
import { indexProviders, resolveModelReference, type ResolvedModel } from './model-reference';
import { validateChatRequest, validateEmbedRequest } from './request-schema';

/** The object `createLLMManager()` returns: the one pipeline every call goes through. */
export interface LLMManager {
  /** One chat completion, with fallback across candidates. */
  chat(request: ChatRequest): Promise<ChatResult>;
  /** A streaming chat completion. Throws synchronously on invalid input. */
  stream(request: ChatRequest): ChatStream;
  /** Embeddings for one or more texts. */
  embed(request: EmbedRequest): Promise<EmbedResult>;
  /** Models across all providers (servers asked where they can list; static catalogues otherwise). */
  models(): Promise<ModelInfo[]>;
  /** Stops timers and flushes pending writes. The manager refuses calls afterwards. */
  close(): Promise<void>;
}

const defaultTimeoutMs = 60_000;
const unpriced: Cost = { usd: 0, priced: false };

interface CallScope {
  event: RequestEvent;
  signal: AbortSignal;
  startedAt: number;
  attempts: Attempt[];
}

function keySourceOf(provider: LanguageModelProvider): KeySource {
  return provider.local ? 'local' : 'managed';
}

/** Errors after which another candidate may succeed; the rest end the call at once. */
function worthFallingBack(error: LLMError): boolean {
  return !(error instanceof AbortedError || (error instanceof InvalidRequestError && error.status === undefined) || error.code === 'aborted');
}

function toLLMError(error: unknown, provider: string, signal: AbortSignal): LLMError {
  return mapFetchError(error, provider, signal);
}

/** Creates the manager. Options are validated up front; a bad option throws ConfigurationError naming it. */
export function createLLMManager(options: LLMManagerOptions): LLMManager {
  validateManagerOptions(options);
  const providers = indexProviders(options.providers);
  const fallbackChain = options.routing?.fallback ?? [];
  for (const reference of [...fallbackChain, ...(options.defaultModel ? [options.defaultModel] : [])]) {
    resolveModelReference(reference, providers); // reject a bad chain at start-up, not at the first call
  }
  const hooks = options.hooks ?? {};
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
  let closed = false;

  const fetchFunction: typeof fetch = (input, init) => (options.fetch ?? globalThis.fetch)(input, init);

  function candidatesFor(model: string | string[] | undefined, kind: 'chat' | 'embedding'): ResolvedModel[] {
    const requested = model === undefined ? [] : Array.isArray(model) ? model : [model];
    const references: string[] = [];
    for (const reference of requested) {
      if (reference === 'auto') {
        for (const provider of providers.values()) {
          const fallbackModel = kind === 'embedding' ? provider.defaultEmbeddingModel : provider.defaultModel;
          if (fallbackModel) references.push(`${provider.id}:${fallbackModel}`);
        }
      } else references.push(reference);
    }
    if (kind === 'chat') references.push(...fallbackChain);
    if (references.length === 0 && options.defaultModel) references.push(options.defaultModel);
    if (references.length === 0) {
      for (const provider of providers.values()) {
        if ((kind === 'embedding' ? provider.defaultEmbeddingModel : provider.defaultModel) !== undefined) {
          references.push(provider.id);
          break;
        }
      }
    }
    const seen = new Set<string>();
    const candidates: ResolvedModel[] = [];
    for (const reference of references) {
      const resolved = resolveModelReference(reference, providers, kind);
      const key = `${resolved.provider.id}:${resolved.model}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (kind === 'embedding' && !resolved.provider.embed) {
        if (requested.length > 0) throw new InvalidRequestError(`Provider "${resolved.provider.id}" has no embeddings`);
        continue;
      }
      candidates.push(resolved);
    }
    if (candidates.length === 0) throw new InvalidRequestError(`No ${kind} model is configured; pass "model" or set defaultModel`);
    return candidates;
  }

  function openScope(request: ChatRequest | EmbedRequest, operation: RequestEvent['operation']): CallScope {
    if (closed) throw new InvalidRequestError('The manager is closed');
    const deadline = AbortSignal.timeout(request.timeoutMs ?? timeoutMs);
    const signal = request.signal ? AbortSignal.any([request.signal, deadline]) : deadline;
    const event: RequestEvent = {
      requestId: crypto.randomUUID(), operation, userId: request.userId, feature: request.feature, model: request.model, metadata: request.metadata,
    };
    fireHook(hooks.onRequest, event);
    return { event, signal, startedAt: performance.now(), attempts: [] };
  }

  function abortError(scope: CallScope, provider: string): LLMError {
    const reason: unknown = scope.signal.reason;
    if (LLMError.isInstance(reason)) return reason;
    if ((reason as { name?: string } | undefined)?.name === 'TimeoutError') {
      return new TimeoutError('The call did not finish within its deadline', { provider });
    }
    return new AbortedError('The call was aborted by the caller', { provider });
  }

  function recordAttempt(scope: CallScope, candidate: ResolvedModel, startedAt: number, error?: LLMError): Attempt {
    const attempt: Attempt = {
      provider: candidate.provider.id, model: candidate.model, keySource: keySourceOf(candidate.provider),
      status: error ? 'error' : 'success', latencyMs: performance.now() - startedAt, retries: 0, attemptNumber: scope.attempts.length + 1,
    };
    if (error) {
      attempt.errorClass = error.name;
      attempt.errorMessage = error.message;
      if (error.status !== undefined) attempt.httpStatus = error.status;
    }
    scope.attempts.push(attempt);
    return attempt;
  }

  function explain(candidates: ResolvedModel[], served: number): RoutingExplanation {
    return {
      strategy: 'priority',
      candidates: candidates.map((candidate, index) => ({
        candidate: `${candidate.provider.id}:${candidate.model}`,
        decision: index === served ? 'selected' : index < served ? 'fallback' : 'skipped',
        reason: index < served ? 'failed; fell back' : index === served ? 'served the call' : 'not needed',
      })),
    };
  }

  function fail(scope: CallScope, error: LLMError): never {
    fireHook(hooks.onError, { ...scope.event, error, attempts: scope.attempts });
    throw error;
  }

  async function runCandidates<T>(
    scope: CallScope,
    candidates: ResolvedModel[],
    run: (candidate: ResolvedModel, context: ProviderCallContext) => Promise<T>,
  ): Promise<{ value: T; index: number; attempt: Attempt }> {
    const context: ProviderCallContext = { fetch: fetchFunction, signal: scope.signal };
    for (let index = 0; index < candidates.length; index++) {
      const candidate = candidates[index]!;
      if (scope.signal.aborted) fail(scope, abortError(scope, candidate.provider.id));
      const startedAt = performance.now();
      try {
        const value = await run(candidate, context);
        return { value, index, attempt: recordAttempt(scope, candidate, startedAt) };
      } catch (caught) {
        const error = toLLMError(caught, candidate.provider.id, scope.signal);
        const attempt = recordAttempt(scope, candidate, startedAt, error);
        if (scope.signal.aborted) fail(scope, abortError(scope, candidate.provider.id));
        if (!worthFallingBack(error)) fail(scope, error);
        const next = candidates[index + 1];
        if (next) fireHook(hooks.onFallback, { ...scope.event, failed: attempt, next: { provider: next.provider.id, model: next.model } });
      }
    }
    const last = scope.attempts.at(-1);
    fail(scope, new AllProvidersFailedError(
      `Every candidate failed (${scope.attempts.map((a) => `${a.provider}:${a.model} ${a.errorClass}`).join(', ')})${last?.errorMessage ? `; last: ${last.errorMessage}` : ''}`,
      scope.attempts,
    ));
  }

  function providerCall(request: ChatRequest, model: string): ProviderChatCall {
    return {
      model, messages: request.messages, tools: request.tools, toolChoice: request.toolChoice, responseFormat: request.responseFormat,
      temperature: request.temperature, topP: request.topP, maxTokens: request.maxTokens, stop: request.stop, seed: request.seed,
      providerOptions: request.providerOptions,
    };
  }

  async function chat(request: ChatRequest): Promise<ChatResult> {
    validateChatRequest(request);
    const candidates = candidatesFor(request.model, 'chat');
    const scope = openScope(request, 'chat');
    const { value, index, attempt } = await runCandidates(scope, candidates, (candidate, context) =>
      candidate.provider.chat(providerCall(request, candidate.model), context),
    );
    const candidate = candidates[index]!;
    const result: ChatResult = {
      ...value, provider: candidate.provider.id, model: value.model ?? candidate.model, keySource: attempt.keySource, cached: false,
      attempts: scope.attempts, routing: explain(candidates, index), cost: unpriced, latencyMs: performance.now() - scope.startedAt,
      requestId: scope.event.requestId,
    };
    fireHook(hooks.onResponse, { ...scope.event, result });
    return result;
  }

  function stream(request: ChatRequest): ChatStream {
    validateChatRequest(request);
    const candidates = candidatesFor(request.model, 'chat');
    const consumer = new AbortController();
    const linked = request.signal ? AbortSignal.any([request.signal, consumer.signal]) : consumer.signal;
    const scope = openScope({ ...request, signal: linked }, 'stream');
    let resolveResult!: (result: ChatResult) => void;
    let rejectResult!: (error: unknown) => void;
    const result = new Promise<ChatResult>((resolve, reject) => {
      resolveResult = resolve;
      rejectResult = reject;
    });
    const context: ProviderCallContext = { fetch: fetchFunction, signal: scope.signal };

    async function* run(): AsyncGenerator<StreamPart> {
      let contentStarted = false;
      let text = '';
      let reasoning = '';
      const toolCalls: ToolCall[] = [];
      let responseId: string | undefined;
      let servedModel: string | undefined;
      let settled = false;
      try {
        for (let index = 0; index < candidates.length; index++) {
          const candidate = candidates[index]!;
          const startedAt = performance.now();
          const iterator = candidate.provider.stream(providerCall(request, candidate.model), context)[Symbol.asyncIterator]();
          let finished = false;
          try {
            while (true) {
              const next = await iterator.next();
              if (next.done) throw new InvalidResponseError(`${candidate.provider.id}: stream ended without a finish`, { provider: candidate.provider.id });
              const part = next.value;
              switch (part.type) {
                case 'text-delta': text += part.text; contentStarted = true; break;
                case 'reasoning-delta': reasoning += part.text; contentStarted = true; break;
                case 'tool-call-delta': contentStarted = true; break;
                case 'tool-call': toolCalls.push(part.toolCall); contentStarted = true; break;
                case 'response-metadata': responseId ??= part.responseId; servedModel ??= part.model; break;
                case 'finish': {
                  finished = true;
                  const attempt = recordAttempt(scope, candidate, startedAt);
                  const final: ChatResult = {
                    text, reasoning: reasoning || undefined, toolCalls, finishReason: part.finishReason, rawFinishReason: part.rawFinishReason,
                    usage: part.usage, responseId, provider: candidate.provider.id, model: servedModel ?? candidate.model,
                    keySource: attempt.keySource, cached: false, attempts: scope.attempts, routing: explain(candidates, index), cost: unpriced,
                    latencyMs: performance.now() - scope.startedAt, requestId: scope.event.requestId,
                  };
                  settled = true;
                  resolveResult(final);
                  fireHook(hooks.onResponse, { ...scope.event, result: final });
                  yield part;
                  return;
                }
              }
              yield part;
            }
          } catch (caught) {
            const error = scope.signal.aborted ? abortError(scope, candidate.provider.id) : toLLMError(caught, candidate.provider.id, scope.signal);
            const attempt = recordAttempt(scope, candidate, startedAt, error);
            const next = candidates[index + 1];
            if (contentStarted || !next || !worthFallingBack(error) || scope.signal.aborted) {
              const final = !next && !contentStarted && index > 0 && worthFallingBack(error)
                ? new AllProvidersFailedError(`Every candidate failed; last: ${error.message}`, scope.attempts)
                : error;
              settled = true;
              rejectResult(final);
              fireHook(hooks.onError, { ...scope.event, error: final, attempts: scope.attempts });
              yield { type: 'error', error: final };
              return;
            }
            fireHook(hooks.onFallback, { ...scope.event, failed: attempt, next: { provider: next.provider.id, model: next.model } });
          } finally {
            if (!finished) await iterator.return?.(undefined)?.catch?.(() => undefined);
          }
        }
      } finally {
        if (!settled) {
          // The consumer left the loop early: stop the upstream request and say so.
          consumer.abort(new AbortedError('The stream was cancelled by its consumer'));
          const error = new AbortedError('The stream was cancelled by its consumer');
          rejectResult(error);
          fireHook(hooks.onError, { ...scope.event, error, attempts: scope.attempts });
        }
      }
    }

    return new ChatStream(run(), result, (reason) => consumer.abort(reason ?? new AbortedError('The stream was cancelled')));
  }

  async function embed(request: EmbedRequest): Promise<EmbedResult> {
    validateEmbedRequest(request);
    const candidates = candidatesFor(request.model, 'embedding');
    const scope = openScope(request, 'embed');
    const input = typeof request.input === 'string' ? [request.input] : request.input;
    const { value, index, attempt } = await runCandidates(scope, candidates, (candidate, context) =>
      candidate.provider.embed!({ model: candidate.model, input, dimensions: request.dimensions, providerOptions: request.providerOptions }, context),
    );
    if (value.embeddings.length !== input.length) {
      fail(scope, new InvalidResponseError(`${candidates[index]!.provider.id}: returned ${value.embeddings.length} vectors for ${input.length} inputs`));
    }
    const result: EmbedResult = {
      embeddings: value.embeddings, dimensions: value.embeddings[0]?.length ?? 0, usage: value.usage, provider: candidates[index]!.provider.id,
      model: value.model ?? candidates[index]!.model, keySource: attempt.keySource, attempts: scope.attempts, cost: unpriced,
      latencyMs: performance.now() - scope.startedAt,
    };
    fireHook(hooks.onResponse, { ...scope.event, result });
    return result;
  }

  async function models(): Promise<ModelInfo[]> {
    const lists = await Promise.all(
      [...providers.values()].map(async (provider) => {
        if (provider.listModels) {
          try {
            return await provider.listModels({ fetch: fetchFunction, signal: AbortSignal.timeout(10_000) });
          } catch {
            // An unreachable provider still contributes its static catalogue.
          }
        }
        return [...(provider.knownModels ?? [])];
      }),
    );
    return lists.flat();
  }

  async function close(): Promise<void> {
    closed = true;
  }

  return { chat, stream, embed, models, close };
}

