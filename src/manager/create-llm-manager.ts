import { asAbortSignal, toAbortSignal } from '../http/abort-source';
import { createCallDeadline, type CallDeadline } from '../http/call-deadline';
import { takesAbortSignalLikeOf } from '../http/takes-abort-signal-like';
import { cacheKeyNow } from '../cache/cache-key';
import { createConversations, type Conversations } from '../conversations/conversations';
import type { CachedResponse, ResponseCache } from '../cache/cached-response';
import { createLazyMemoryResponseCache, type InProcessResponseCache } from '../cache/lazy-memory-response-cache';
import { createSharedResponseCache } from '../cache/shared-response-cache';
import { createSingleFlight } from '../cache/single-flight';
import { recordStream } from '../cache/stream-cache';
import { AbortedError } from '../errors/aborted-error';
import { TimeoutError } from '../errors/timeout-error';
import { AllProvidersFailedError } from '../errors/all-providers-failed-error';
import { InvalidRequestError } from '../errors/invalid-request-error';
import { InvalidResponseError } from '../errors/invalid-response-error';
import { LLMError } from '../errors/llm-error';
import { QuotaExceededError } from '../errors/quota-exceeded-error';
import { StorageError } from '../errors/storage-error';
import { createLazyBudgetGuard } from '../governance/lazy-budget-guard';
import { createPriceTable } from '../governance/price-table';
import { estimateChatTokens, estimateEmbeddingTokens } from '../governance/token-estimate';
import { buildUsageRecord, createUsageWriter } from '../governance/usage-recorder';
import { mapFetchError } from '../http/map-fetch-error';
import { batched, batchesOf } from '../http/part-batches';
import type { RoutingCandidate } from '../routing/candidate';
import { createCircuitBreaker } from '../routing/circuit-breaker';
import { attemptsOf, executeWithFallback, type ExecuteWithFallbackOptions, type FallbackEvent } from '../routing/fallback-executor';
import { createHealthTracker, type ProviderHealth } from '../routing/health-tracker';
import { discoverLocalServers } from '../routing/discover-local-servers-on-demand';
import type { DiscoverLocalOptions, DiscoveryResult } from '../routing/local-discovery';
import { createModelsCache } from '../routing/models-cache';
import { createSelector, type SelectionExplanation } from '../routing/selector';
import type { RoutedStreamPart } from '../routing/stream-fallback';
import type { InstanceService } from '../tenancy/create-instance-service';
import type { KeyService } from '../tenancy/create-key-service';
import type { KeyTestResult } from '../tenancy/key-test';
import type { TenancyServices } from './tenancy-services';
import { validateMasterKeyOptions } from '../vault/master-key';
import { ConfigurationError } from '../errors/configuration-error';
import type { Attempt } from '../spec/attempt';
import type { ProviderChatCall, ProviderChatResult } from '../spec/chat';
import type { ModelInfo } from '../spec/model-info';
import type { LanguageModelProvider, ProviderCallContext } from '../spec/provider';
import type { ChatRequest, EmbedRequest } from '../spec/request';
import type { ChatResult, Cost, EmbedResult } from '../spec/result';
import type { StateStore } from '../spec/state-store';
import type { Storage, UsageRecord, UsageSummary, UsageSummaryQuery, RecentUsageQuery } from '../spec/storage';
import type { StreamPart } from '../spec/stream';
import type { AssistantMessage, Message } from '../spec/message';
import type { Usage } from '../spec/usage';
import { createAdmissionControl, type Admission } from './admission-control';
import { providersForLocalServers } from './local-server-providers';
import { createUsageAlertChecks } from './usage-alert-checks';
import { createAttemptAccounting, type CallFacts } from './attempt-accounting';
import { buildCandidates, type RequestCredential } from './candidate-builder';
import { ChatStream } from './chat-stream';
import { collectParts, StreamResultCollector } from './stream-result-collector';
import { createDefaultStorage } from './default-storage';
import { createDefaultState } from './default-state';
import { providerChatFields, toCachedChatResult, toChatResult } from './chat-result';
import { fireHook, type RequestEvent } from './manager-hooks';
import { validateManagerOptions, type LLMManagerOptions } from './manager-options';
import { indexProviders, resolveModelReference, type ResolvedModel } from './model-reference';
import { newRequestId } from './request-id';
import { validateChatRequest, validateEmbedRequest } from './request-schema';

/** Usage reports over the ledger. */
export interface UsageReports {
  /** Totals grouped by provider, model, feature, user and/or day, aggregated by the storage backend. */
  summary(query: UsageSummaryQuery): Promise<UsageSummary>;
  /** The most recent usage records. */
  recent(query: RecentUsageQuery): Promise<UsageRecord[]>;
  /** Writes queued usage records now. */
  flush(): Promise<void>;
}

/** The object `createLLMManager()` returns: the one pipeline every call goes through. */
export interface LLMManager {
  /** One chat completion, with fallback across candidates. */
  chat(request: ChatRequest): Promise<ChatResult>;
  /** A streaming chat completion. Throws synchronously on invalid input. */
  stream(request: ChatRequest): ChatStream;
  /** Embeddings for one or more texts. */
  embed(request: EmbedRequest): Promise<EmbedResult>;
  /** Models across all providers, cached for 24 hours; `refresh` asks the servers again. */
  models(options?: { refresh?: boolean }): Promise<ModelInfo[]>;
  /** Per provider and model: availability, latency p50/p95, last error, circuit state. */
  health(): Promise<ProviderHealth[]>;
  /**
   * Probes localhost for Ollama, LM Studio, LocalAI / llama.cpp and vLLM and lists their models; with
   * `register: true` the servers found become providers of this manager (ids `ollama`, `lmstudio`, …).
   */
  discoverLocal(options?: DiscoverLocalOptions & { register?: boolean }): Promise<DiscoveryResult>;
  /** Usage reports from the ledger. */
  readonly usage: UsageReports;
  /** Conversation history per user; `chat({ conversationId })` loads and saves through it. */
  readonly conversations: Conversations;
  /** The storage adapter in use (the in-memory one unless configured). */
  readonly storage: Storage;
  /** The state store in use (the in-memory one unless configured). */
  readonly state: StateStore;
  /** Users' own API keys (needs the `vault` option): stored encrypted, listed masked. */
  readonly keys: UserKeys;
  /** Definitions, instances and read-only sharing (needs the `vault` option). */
  readonly instances: InstanceService;
  /** A view for one user: their own keys, shared instances, stored fallback rules, tier and budgets apply. */
  forUser(userId: string, options?: { tier?: string }): UserManager;
  /** Stops timers, flushes the usage ledger, and refuses calls afterwards. */
  close(): Promise<void>;
}

/** `llm.keys`: per-user keys. */
export interface UserKeys {
  /** Stores (or replaces) a user's key for a provider, encrypted; returns the masked entry. */
  set(input: { userId: string; provider: string; apiKey: string; label?: string; baseUrl?: string }): ReturnType<KeyService['set']>;
  /** The user's keys, masked (`sk-ab...xyz`). */
  list(userId: string): ReturnType<KeyService['list']>;
  /** Makes the cheapest real call with the key (list models): `valid`, `invalid` or `unreachable`. */
  test(input: { userId: string; provider: string; apiKey?: string; signal?: AbortSignal }): Promise<KeyTestResult>;
  /** Removes the user's key for a provider. */
  remove(input: { userId: string; provider: string }): Promise<boolean>;
  /** The host's managed keys (used when a user has none). */
  managed: Pick<KeyService, 'setManaged' | 'listManaged' | 'testManaged' | 'removeManaged'>;
}

/** What `llm.forUser(userId)` returns: the same calls with the user's keys, rules, tier and budgets. */
export interface UserManager {
  /** The user. */
  readonly userId: string;
  /** As `llm.chat`, for this user. */
  chat(request: Omit<ChatRequest, 'userId'>): Promise<ChatResult>;
  /** As `llm.stream`, for this user. */
  stream(request: Omit<ChatRequest, 'userId'>): ChatStream;
  /** As `llm.embed`, for this user. */
  embed(request: Omit<EmbedRequest, 'userId'>): Promise<EmbedResult>;
  /** This user's keys. */
  readonly keys: {
    set(input: { provider: string; apiKey: string; label?: string; baseUrl?: string }): ReturnType<KeyService['set']>;
    list(): ReturnType<KeyService['list']>;
    test(input: { provider: string; apiKey?: string; signal?: AbortSignal }): Promise<KeyTestResult>;
    remove(input: { provider: string }): Promise<boolean>;
  };
  /** This user's usage. */
  readonly usage: { summary(query: Omit<UsageSummaryQuery, 'userId'>): Promise<UsageSummary>; recent(query?: Omit<RecentUsageQuery, 'userId'>): Promise<UsageRecord[]> };
}

/** Extra per-call settings that scoped views (`forUser`, the OpenAI handler) pass. */
export interface CallScopeOptions {
  /** The user's own keys by provider id. */
  credentials?: ReadonlyMap<string, RequestCredential>;
  /** Extra candidates after the request's own (the user's stored fallback rules). */
  fallback?: readonly string[];
  /** Models the user's tier may use. */
  allowedModels?: readonly string[];
  /** Extra providers for this call (the user's own and shared instances, by instance id). */
  providers?: ReadonlyMap<string, LanguageModelProvider>;
}

const noScope: CallScopeOptions = {};

type StreamFallbackModule = typeof import('../routing/stream-fallback');
// Only streams use the streaming fallback layer: it loads on the first stream() call, in the background
// while the call is admitted, so importing the package does not compile it.
let streamFallback: StreamFallbackModule | undefined;
let loadingStreamFallback: Promise<StreamFallbackModule> | undefined;
const loadStreamFallback = (): Promise<StreamFallbackModule> =>
  (loadingStreamFallback ??= import('../routing/stream-fallback').then((module) => (streamFallback = module)));

const defaultTimeoutMs = 60_000;
const defaultReservedOutputTokens = 4_096;

interface CallState {
  event: RequestEvent;
  /** The call's deadline and abort: `deadline.signal` (made on first read) for what needs an AbortSignal. */
  deadline: CallDeadline;
  startedAt: number;
  facts: CallFacts;
}

function checkedVaultOptions(vault: NonNullable<LLMManagerOptions['vault']>): NonNullable<LLMManagerOptions['vault']> {
  // The decoded copies are only for the check: wipe them (the vault decodes its own when it loads).
  for (const key of validateMasterKeyOptions({ masterKey: vault.masterKey }).keys) if (key.material instanceof Uint8Array) key.material.fill(0);
  return vault;
}

function toCost(cost: { usd: number; priced: boolean; priceTableVersion: string }): Cost {
  return cost.priced ? { usd: cost.usd, priced: true, priceTableVersion: cost.priceTableVersion } : { usd: cost.usd, priced: false };
}

/** Creates the manager. Options are validated up front; a bad option throws ConfigurationError naming it. */
export function createLLMManager(options: LLMManagerOptions): LLMManager {
  validateManagerOptions(options);
  const providers = indexProviders(options.providers);
  const fallbackChain = options.routing?.fallback ?? [];
  for (const reference of [...fallbackChain, ...(options.defaultModel ? [options.defaultModel] : [])]) {
    resolveModelReference(reference, providers); // a bad chain fails at start-up, not at the first call
  }
  const hooks = options.hooks ?? {};
  const routing = options.routing ?? {};
  const timeoutMs = options.timeoutMs ?? options.limits?.timeoutMs ?? defaultTimeoutMs;
  const storage = options.storage ?? createDefaultStorage();
  const state = options.state ?? createDefaultState();
  const priceTable = createPriceTable(options.pricing);
  const usageWriter = createUsageWriter({ sink: storage, ...options.usage });
  const breaker = createCircuitBreaker();
  const health = createHealthTracker({ breaker });
  const selector = createSelector({ strategy: routing.strategy, powerLevel: routing.powerLevel, health, breaker });
  const admission = createAdmissionControl(state, options.limits);
  const budgetGuard = options.budgets || options.credits ? createLazyBudgetGuard({ state, budgets: options.budgets, credits: options.credits }) : undefined;
  const accounting = createAttemptAccounting({
    priceTable, managedMarkupPercent: options.pricing?.managedMarkupPercent, budgetGuard, usageWriter,
    wireFormatOf: (id) => providers.get(id)?.wireFormat ?? id,
  });
  const inProcessCache: InProcessResponseCache | undefined =
    options.cache && !options.cache.shared
      ? createLazyMemoryResponseCache({ ttlMs: options.cache.ttlMs, maxEntries: options.cache.maxEntries, maxBytes: options.cache.maxBytes })
      : undefined;
  const cache: ResponseCache | undefined = options.cache?.shared ? createSharedResponseCache({ state, ttlMs: options.cache.ttlMs }) : inProcessCache;
  const cacheScope = options.cache?.scope ?? 'user';
  if (options.health?.probeIntervalMs !== undefined) {
    // Each provider's default model is probed with its cheapest call (listing models); a provider that
    // cannot list is judged from real traffic only.
    health.startProbes({
      intervalMs: options.health.probeIntervalMs,
      timeoutMs: options.health.probeTimeoutMs,
      mode: options.health.probeMode,
      targets: () => buildCandidates(
        [...providers.values()].filter((provider) => provider.listModels && provider.defaultModel).map((provider) => ({ provider, model: provider.defaultModel! })),
        'chat', priceTable, undefined,
      ),
      probe: async (candidate, context) => {
        await providers.get(candidate.provider)!.listModels!({ fetch: fetchFunction, signal: context.signal });
      },
    });
  }
  const alertChecks = options.alerts ? createUsageAlertChecks(storage, () => usageWriter.flush(), options.alerts) : undefined;
  const chatFlights = createSingleFlight<{ result: ChatResult; cached: CachedResponse | undefined }>();
  const fetchFunction: typeof fetch = (input, init) => (options.fetch ?? globalThis.fetch)(input, init);
  const modelsCache = createModelsCache({
    load: async (id) => {
      const provider = providers.get(id)!;
      if (provider.listModels) {
        try {
          return await provider.listModels({ fetch: fetchFunction, signal: AbortSignal.timeout(10_000) });
        } catch (error) {
          if (!provider.knownModels) throw error;
        }
      }
      return [...(provider.knownModels ?? [])];
    },
  });
  const conversations = createConversations(storage);
  // A missing or malformed master key fails here, at creation; the vault itself loads with the key services.
  const vault = options.vault ? checkedVaultOptions(options.vault) : undefined;
  let tenancyServices: Promise<TenancyServices> | undefined;
  const tenancy = (): Promise<TenancyServices> =>
    (tenancyServices ??= import('./tenancy-services').then((module) =>
      module.createTenancyServices({ storage, masterKey: vault!.masterKey, providers, fetch: fetchFunction, resolveTier: options.tenancy?.resolveTier, scopeTtlMs: options.tenancy?.scopeTtlMs }),
    ));
  const needsVault = (what: string): never => {
    throw new ConfigurationError(`${what} needs the vault option: createLLMManager({ vault: { masterKey } })`);
  };

  /** Everything a user's calls carry: their keys, instances, fallback rules for the feature, and tier. */
  async function userScope(userId: string, feature: string | undefined): Promise<CallScopeOptions & { tier?: string }> {
    if (!vault) return {};
    const { keys: keyService, instances: instanceService, scopes } = await tenancy();
    const loaded = await scopes.load(userId);
    const credentials = new Map<string, RequestCredential>();
    for (const providerId of loaded.byokProviders) {
      if (!providers.has(providerId)) continue;
      const resolved = await keyService.resolveCredentials({ userId, provider: providerId });
      if (resolved.keySource === 'byok' && resolved.apiKey) credentials.set(providerId, { apiKey: resolved.apiKey.reveal(), keyId: `byok:${userId}:${providerId}` });
    }
    const extra = new Map<string, LanguageModelProvider>();
    for (const instance of loaded.instances) {
      if (providers.has(instance.id)) continue;
      extra.set(instance.id, await instanceService.resolveProvider(userId, instance.id));
    }
    const fallback = loaded.fallbackRules.filter((rule) => rule.feature === undefined || rule.feature === feature).flatMap((rule) => rule.models);
    const result: CallScopeOptions & { tier?: string } = { credentials, fallback };
    if (extra.size > 0) result.providers = extra;
    if (loaded.tier !== undefined) result.tier = loaded.tier;
    return result;
  }
  const contextLimits = { maxMessages: 10, maxTokens: 2000 };
  let closed = false;

  /** The request with the conversation's context before its messages (the request's own are the new turn). */
  async function withConversation(request: ChatRequest): Promise<ChatRequest> {
    if (request.conversationId === undefined) return request;
    if (request.userId === undefined) throw new InvalidRequestError('Invalid chat request: conversationId needs userId (conversations belong to a user)');
    const context = await conversations.context(request.userId, request.conversationId, contextLimits);
    return { ...request, messages: [...context.messages, ...request.messages] };
  }

  /** Saves the new turn and the answer in one transaction, only once the call succeeded. */
  async function saveTurn(request: ChatRequest, result: ChatResult): Promise<void> {
    if (request.conversationId === undefined || request.userId === undefined) return;
    const content: AssistantMessage['content'] = result.toolCalls.length === 0
      ? result.text
      : [
          ...(result.text ? [{ type: 'text' as const, text: result.text }] : []),
          ...result.toolCalls.map((toolCall) => ({ type: 'tool-call' as const, toolCallId: toolCall.id, toolName: toolCall.name, arguments: toolCall.arguments })),
        ];
    const newTurn: Message[] = request.messages;
    try {
      await conversations.append(request.userId, request.conversationId, [
        ...newTurn.map((message) => ({ message })),
        { message: { role: 'assistant', content }, model: `${result.provider}:${result.model}`, tokens: result.usage.outputTokens },
      ]);
    } catch (error) {
      throw LLMError.isInstance(error) ? error : new StorageError('The answer could not be saved to the conversation', { cause: error });
    }
  }

  function providerOf(scope: CallScopeOptions, id: string): LanguageModelProvider {
    return providers.get(id) ?? scope.providers!.get(id)!;
  }

  // A call without a user scope resolves to the same candidates every time for the same model string:
  // they are remembered (and forgotten when providers are registered), so the hot path neither parses
  // references nor looks up catalogues and prices again.
  const rememberedResolutions = { chat: new Map<string, ResolvedModel[]>(), embedding: new Map<string, ResolvedModel[]>() };
  const rememberedCandidates = new WeakMap<ResolvedModel[], RoutingCandidate[]>();
  const forgetResolutions = (): void => {
    rememberedResolutions.chat.clear();
    rememberedResolutions.embedding.clear();
  };

  function resolveCandidates(model: string | string[] | undefined, kind: 'chat' | 'embedding', scope: CallScopeOptions = noScope): ResolvedModel[] {
    if (scope !== noScope || Array.isArray(model)) return resolveReferences(model, kind, scope);
    const remembered = rememberedResolutions[kind];
    const key = model ?? '';
    let resolved = remembered.get(key);
    if (resolved === undefined) {
      resolved = resolveReferences(model, kind, scope);
      if (remembered.size >= 256) remembered.clear();
      remembered.set(key, resolved);
    }
    return resolved;
  }

  function resolveReferences(model: string | string[] | undefined, kind: 'chat' | 'embedding', scope: CallScopeOptions): ResolvedModel[] {
    const known = scope.providers ? new Map([...providers, ...scope.providers]) : providers;
    const requested = model === undefined ? [] : Array.isArray(model) ? model : [model];
    const references: string[] = [];
    for (const reference of requested) {
      if (reference === 'auto') {
        for (const provider of known.values()) {
          const defaultModel = kind === 'embedding' ? provider.defaultEmbeddingModel : provider.defaultModel;
          if (defaultModel) references.push(`${provider.id}:${defaultModel}`);
        }
      } else references.push(reference);
    }
    if (kind === 'chat') {
      if (scope.fallback) references.push(...scope.fallback);
      references.push(...fallbackChain);
    }
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
    const resolved: ResolvedModel[] = [];
    for (const reference of references) {
      const candidate = resolveModelReference(reference, known, kind);
      const key = `${candidate.provider.id}:${candidate.model}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (kind === 'embedding' && !candidate.provider.embed) {
        if (requested.length > 0) throw new InvalidRequestError(`Provider "${candidate.provider.id}" has no embeddings`);
        continue;
      }
      resolved.push(candidate);
    }
    if (resolved.length === 0) throw new InvalidRequestError(`No ${kind} model is configured; pass "model" or set defaultModel`);
    return resolved;
  }

  function openCall(request: ChatRequest | EmbedRequest, operation: RequestEvent['operation'], estimatedInputTokens: number): CallState {
    if (closed) throw new InvalidRequestError('The manager is closed');
    const limitMs = request.timeoutMs ?? timeoutMs;
    const deadline = createCallDeadline(limitMs, request.signal, () => new TimeoutError(`The call did not finish within its deadline of ${limitMs} ms`));
    const requestId = newRequestId();
    // Stored alerts of this user are checked in the next round, after the ledger is written.
    if (alertChecks !== undefined && request.userId !== undefined) alertChecks.touch(request.userId);
    const event: RequestEvent = { requestId, operation, userId: request.userId, feature: request.feature, model: request.model, metadata: request.metadata };
    fireHook(hooks.onRequest, event);
    const maxTokens = 'maxTokens' in request && request.maxTokens !== undefined ? request.maxTokens : operation === 'embed' ? 0 : defaultReservedOutputTokens;
    return {
      event, deadline, startedAt: performance.now(),
      facts: { requestId, userId: request.userId, feature: request.feature, estimatedInputTokens, maxOutputTokens: maxTokens },
    };
  }

  function select(resolved: ResolvedModel[], request: ChatRequest | undefined, kind: 'chat' | 'embedding', scope: CallScopeOptions) {
    let candidates = scope.credentials ? undefined : rememberedCandidates.get(resolved);
    if (candidates === undefined) {
      candidates = buildCandidates(resolved, kind, priceTable, scope.credentials);
      if (!scope.credentials) rememberedCandidates.set(resolved, candidates);
    }
    return selector.select({
      candidates, messages: request?.messages ?? [], tools: request?.tools, responseFormat: request?.responseFormat, maxTokens: request?.maxTokens,
      embedding: kind === 'embedding', privacy: routing.privacy, allowedModels: scope.allowedModels,
    });
  }

  // A call's deadline reaches the request as is when both the transport and the adapter take it; anything
  // else gets a real AbortSignal, made here (see takesAbortSignalLike).
  const fetchTakesAbortSignalLike = takesAbortSignalLikeOf(options.fetch);

  function contextFor(candidate: RoutingCandidate, provider: LanguageModelProvider, signal: AbortSignal, scope: CallScopeOptions): ProviderCallContext {
    if (!fetchTakesAbortSignalLike || !takesAbortSignalLikeOf(provider)) signal = toAbortSignal(signal);
    const credential = scope.credentials?.get(candidate.provider);
    return candidate.keySource === 'byok' && credential ? { fetch: fetchFunction, signal, apiKey: credential.apiKey } : { fetch: fetchFunction, signal };
  }

  const retryPolicy = { maxRetries: routing.maxRetries, maxRetryAfterMs: routing.maxRetryAfterMs };

  function fallbackHook(call: CallState): ((event: FallbackEvent) => void) | undefined {
    if (!hooks.onFallback) return undefined;
    return (event) => {
      if (event.to) fireHook(hooks.onFallback, { ...call.event, failed: event.attempt, next: { provider: event.to.provider, model: event.to.model } });
    };
  }

  function executorOptions<T>(
    call: CallState, signal: AbortSignal, candidates: readonly RoutingCandidate[], attempt: ExecuteWithFallbackOptions<T>['attempt'],
  ): ExecuteWithFallbackOptions<T> {
    return {
      candidates, attempt, signal, attemptTimeoutMs: routing.attemptTimeoutMs, breaker, health, contentFilter: routing.contentFilter,
      retry: retryPolicy, onFallback: fallbackHook(call),
    };
  }

  /** A failure that was only ever our own budget refusing paid candidates reads better as that refusal. */
  function finalError(error: unknown, call: CallState, fallbackProvider?: string): LLMError {
    let typed = mapFetchError(error, fallbackProvider ?? 'llm-switchyard', call.deadline);
    const attempts = attemptsOf(error) ?? [];
    if (typed instanceof AllProvidersFailedError && attempts.length > 0 && attempts.every((attempt) => attempt.errorClass === 'QuotaExceededError')) {
      const cause = (typed as { cause?: unknown }).cause;
      if (cause instanceof QuotaExceededError) typed = cause;
    }
    fireHook(hooks.onError, { ...call.event, error: typed, attempts });
    return typed;
  }

  function providerCall(request: ChatRequest, model: string): ProviderChatCall {
    return {
      model, messages: request.messages, tools: request.tools, toolChoice: request.toolChoice, responseFormat: request.responseFormat,
      temperature: request.temperature, topP: request.topP, maxTokens: request.maxTokens, stop: request.stop, seed: request.seed,
      providerOptions: request.providerOptions,
    };
  }

  // Key and in-process lookup come back without a promise once their code has loaded, so a hit awaits
  // neither; callers await only what is still a promise.
  function cacheKeyFor(operation: 'chat' | 'stream' | 'embed', request: ChatRequest | EmbedRequest): string | Promise<string> | undefined {
    if (!cache || ('cache' in request && request.cache === 'bypass')) return undefined;
    return cacheKeyNow({ operation, model: request.model, request: request as never, userId: request.userId, scope: cacheScope });
  }

  function cachedEntry(key: string): CachedResponse | undefined | Promise<CachedResponse | undefined> {
    return inProcessCache ? inProcessCache.getNow(key) : cache!.get(key);
  }

  function recordCacheHit(call: CallState, provider: string, model: string): void {
    usageWriter.enqueue(buildUsageRecord({
      requestId: call.facts.requestId, attemptNumber: 1, time: Date.now(), userId: call.facts.userId, feature: call.facts.feature,
      provider, model, keySource: providers.get(provider)?.local ? 'local' : 'managed', usage: undefined,
      cost: { microUsd: 0, usd: 0, priced: true, priceTableVersion: priceTable.version, inputMicroUsd: 0, cachedInputMicroUsd: 0, outputMicroUsd: 0, markupMicroUsd: 0 },
      latencyMs: performance.now() - call.startedAt, status: 'success', cached: true,
    }));
  }

  function cachedExplanation(provider: string, model: string): SelectionExplanation {
    return {
      strategy: 'priority', powerLevel: 'balanced', task: 'chat', taskSource: 'given', taskSignals: ['cache hit'],
      requirements: {} as SelectionExplanation['requirements'], weights: {} as SelectionExplanation['weights'],
      candidates: [{ candidate: `${provider}:${model}`, keySource: 'managed', decision: 'selected', reason: 'served from the response cache' }],
    };
  }

  // Awaited by the call itself, with `refusedAdmission` for a refusal: an async wrapper would cost every
  // call a promise and a tick.
  function admit(call: CallState, request: ChatRequest | EmbedRequest): Promise<Admission> {
    return admission.admit({
      requestId: call.facts.requestId, userId: request.userId, tier: request.tier, signal: call.deadline,
      estimatedTokens: call.facts.estimatedInputTokens + call.facts.maxOutputTokens,
    });
  }

  function refusedAdmission(error: unknown, call: CallState): LLMError {
    call.deadline.dispose();
    // A wait for a slot cut short by the call's own deadline ends as that deadline's TimeoutError.
    const reason = call.deadline.aborted ? call.deadline.reason : undefined;
    return finalError(error instanceof AbortedError && reason instanceof TimeoutError ? reason : error, call);
  }

  type ScopeLoader = () => Promise<CallScopeOptions & { tier?: string }>;

  async function chat(original: ChatRequest, loadScope?: ScopeLoader): Promise<ChatResult> {
    validateChatRequest(original);
    const scope = loadScope ? await loadScope() : noScope;
    if (loadScope && original.tier === undefined && (scope as { tier?: string }).tier !== undefined) original = { ...original, tier: (scope as { tier?: string }).tier };
    const resolved = resolveCandidates(original.model, 'chat', scope);
    const request = original.conversationId === undefined ? original : await withConversation(original);
    const call = openCall(request, 'chat', estimateChatTokens(request));
    let held: Admission;
    try {
      held = await admit(call, request);
    } catch (error) {
      throw refusedAdmission(error, call);
    }
    let tokensUsed = 0;
    try {
      const keyOrPromise = cacheKeyFor('chat', request);
      const key = keyOrPromise instanceof Promise ? await keyOrPromise : keyOrPromise;
      if (key) {
        const entry = cachedEntry(key);
        const hit = entry instanceof Promise ? await entry : entry;
        if (hit?.kind === 'chat') {
          recordCacheHit(call, hit.provider, hit.model);
          const result = toCachedChatResult(
            hit.result, hit.provider, hit.model, cachedExplanation(hit.provider, hit.model), { usd: 0, priced: true, priceTableVersion: priceTable.version },
            call.startedAt, call.facts.requestId,
          );
          if (hooks.onResponse) fireHook(hooks.onResponse, { ...call.event, result });
          return result;
        }
      }
      // A continuation, not an async function: its frame would stay alive while the provider answers.
      const run = (signal: AbortSignal): Promise<{ result: ChatResult; cached: CachedResponse | undefined }> => {
        let selection: ReturnType<typeof select>;
        try {
          selection = select(resolved, request, 'chat', scope);
        } catch (error) {
          return Promise.reject(error);
        }
        return executeWithFallback(executorOptions(call, signal, selection.candidates, (candidate, context) =>
          accounting.run(candidate, call.facts, context, () => {
            const provider = providerOf(scope, candidate.provider);
            return provider.chat(providerCall(request, candidate.model), contextFor(candidate, provider, context.signal, scope));
          }),
        )).then((outcome) => {
          const value = outcome.value;
          const result = toChatResult(value, outcome.candidate, outcome.attempts, selection, toCost(value.cost), call.startedAt, call.facts.requestId);
          const cached: CachedResponse | undefined = key
            ? { kind: 'chat', provider: result.provider, model: result.model, result: providerChatFields(value), storedAt: Date.now() }
            : undefined;
          return { result, cached };
        });
      };
      const shared = key ? await chatFlights.run(key, run, { signal: call.deadline.signal }) : await run(asAbortSignal(call.deadline));
      const result = shared.result.requestId === call.facts.requestId ? shared.result : { ...shared.result, requestId: call.facts.requestId };
      tokensUsed = result.usage.totalTokens;
      if (key && result.finishReason !== 'error') await cache!.set(key, shared.cached!).catch(() => undefined);
      if (original.conversationId !== undefined) await saveTurn(original, result);
      if (hooks.onResponse) fireHook(hooks.onResponse, { ...call.event, result });
      return result;
    } catch (error) {
      throw LLMError.isInstance(error) && (error as { reported?: boolean }).reported ? error : finalError(error, call);
    } finally {
      await held.finish(tokensUsed);
      call.deadline.dispose();
    }
  }

  function stream(original: ChatRequest, loadScope?: ScopeLoader): ChatStream {
    validateChatRequest(original);
    if (streamFallback === undefined) loadStreamFallback().catch(() => undefined); // a failure surfaces in run()
    // Without a user scope every model ref can be checked now, before anything is sent.
    let resolved = loadScope ? [] : resolveCandidates(original.model, 'chat');
    let scope: CallScopeOptions = noScope;
    // A consumer that stops reading aborts the call's own signal: no second controller per stream.
    const call = openCall(original, 'stream', estimateChatTokens(original));
    let request = original;
    let resolveResult!: (result: ChatResult) => void;
    let rejectResult!: (error: unknown) => void;
    const result = new Promise<ChatResult>((resolve, reject) => {
      resolveResult = resolve;
      rejectResult = reject;
    });

    async function* run(): AsyncGenerator<StreamPart[]> {
      let settled = false;
      let tokensUsed = 0;
      let held: Admission | undefined;
      let key: string | undefined;
      let hit: CachedResponse | undefined;
      let selection!: ReturnType<typeof select>;
      const fail = (error: LLMError): StreamPart => {
        settled = true;
        rejectResult(error);
        return { type: 'error', error };
      };
      try {
        try {
          if (loadScope) {
            scope = await loadScope();
            const tier = (scope as { tier?: string }).tier;
            if (original.tier === undefined && tier !== undefined) original = { ...original, tier };
            resolved = resolveCandidates(original.model, 'chat', scope);
          }
          // Awaits only what is really asynchronous: every await before the request is sent costs the time
          // to first chunk a few microseconds, more with the CPU's caches cold after waiting for the network.
          if (original.conversationId !== undefined) {
            request = await withConversation(original);
            if (request !== original) call.facts.estimatedInputTokens = estimateChatTokens(request);
          }
          try {
            held = await admit(call, request);
          } catch (error) {
            throw refusedAdmission(error, call);
          }
          if (streamFallback === undefined) await loadStreamFallback();
          const keyOrPromise = cacheKeyFor('stream', request);
          key = keyOrPromise instanceof Promise ? await keyOrPromise : keyOrPromise;
          const entry = key ? cachedEntry(key) : undefined;
          hit = entry instanceof Promise ? await entry : entry;
          if (hit?.kind !== 'stream') selection = select(resolved, request, 'chat', scope);
        } catch (error) {
          // Refused, unkeyable or unroutable: an error part and a rejected result, like any other failure.
          yield [fail(LLMError.isInstance(error) ? error : finalError(error, call))];
          return;
        }
        if (hit?.kind === 'stream') {
          recordCacheHit(call, hit.provider, hit.model);
          const final = toCachedChatResult(
            collectParts(hit.parts), hit.provider, hit.model, cachedExplanation(hit.provider, hit.model), { usd: 0, priced: true, priceTableVersion: priceTable.version },
            call.startedAt, call.facts.requestId,
          );
          settled = true;
          resolveResult(final);
          if (hooks.onResponse) fireHook(hooks.onResponse, { ...call.event, result: final });
          yield hit.parts.map((part) => structuredClone(part));
          return;
        }
        const cacheKey = key;
        const routed = streamFallback!.streamWithFallback({
          candidates: selection.candidates, signal: asAbortSignal(call.deadline), abortSourceForOpen: true,
          breaker, health, contentFilter: routing.contentFilter, retry: retryPolicy,
          onFallback: fallbackHook(call),
          messages: request.messages,
          streamFallback: routing.streamFallback,
          idleTimeoutMs: routing.idleTimeoutMs,
          open: (candidate, context) => {
            const upstream = accounting.stream(candidate, call.facts, context, () => {
              const provider = providerOf(scope, candidate.provider);
              return provider.stream(
                providerCall({ ...request, messages: context.messagesOverride ?? request.messages }, candidate.model),
                contextFor(candidate, provider, context.signal, scope),
              );
            });
            return cacheKey
              ? recordStream(upstream, (parts) => {
                  void cache!.set(cacheKey, { kind: 'stream', provider: candidate.provider, model: candidate.model, parts, storedAt: Date.now() }).catch(() => undefined);
                })
              : upstream;
          },
        });
        // Splice parts among them are ignored by the collector.
        const collector = new StreamResultCollector();
        for await (const batch of batchesOf<RoutedStreamPart>(routed)) {
          // Error and splice parts come alone; a finish part ends its batch.
          const last = batch[batch.length - 1]!;
          if (last.type === 'error') {
            yield [fail(finalError(last.error, call))];
            return;
          }
          collector.add(batch);
          if (last.type !== 'finish') {
            yield batch;
            continue;
          }
          // The parts before the finish reach the consumer before the result settles (or a failure to save
          // the turn replaces the finish with an error part).
          if (batch.length > 1) yield batch.slice(0, -1);
          const collected = collector.result();
          const servedBy = routed.servedBy.at(-1)!;
          tokensUsed = last.usage.totalTokens;
          const cost = accounting.costOf(servedBy, last.usage);
          const final = toChatResult(collected, servedBy, [...routed.attempts], selection, toCost(cost), call.startedAt, call.facts.requestId);
          if (routed.splices.length > 0) final.splices = [...routed.splices];
          try {
            if (original.conversationId !== undefined) await saveTurn(original, final);
          } catch (error) {
            yield [fail(finalError(error, call))];
            return;
          }
          settled = true;
          resolveResult(final);
          if (hooks.onResponse) fireHook(hooks.onResponse, { ...call.event, result: final });
          yield [last];
        }
      } finally {
        if (!settled) {
          // The consumer left early: stop the upstream request and say so.
          const error = new AbortedError('The stream was cancelled by its consumer');
          call.deadline.abort(error);
          rejectResult(error);
          fireHook(hooks.onError, { ...call.event, error, attempts: [] });
        }
        if (held) await held.finish(tokensUsed);
        call.deadline.dispose();
      }
    }

    return new ChatStream(batched(run), result, (reason) => call.deadline.abort(reason ?? new AbortedError('The stream was cancelled')));
  }

  async function embed(request: EmbedRequest, loadScope?: ScopeLoader): Promise<EmbedResult> {
    validateEmbedRequest(request);
    const scope = loadScope ? await loadScope() : noScope;
    if (loadScope && request.tier === undefined && (scope as { tier?: string }).tier !== undefined) request = { ...request, tier: (scope as { tier?: string }).tier };
    const resolved = resolveCandidates(request.model, 'embedding', scope);
    const input = typeof request.input === 'string' ? [request.input] : request.input;
    const call = openCall(request, 'embed', estimateEmbeddingTokens(input));
    const held = await admit(call, request).catch((error: unknown) => {
      throw refusedAdmission(error, call);
    });
    let tokensUsed = 0;
    try {
      const selection = select(resolved, undefined, 'embedding', scope);
      const outcome = await executeWithFallback(executorOptions(call, asAbortSignal(call.deadline), selection.candidates, (candidate, context) =>
          accounting.run(candidate, call.facts, context, async () => {
            const provider = providerOf(scope, candidate.provider);
            const value = await provider.embed!(
              { model: candidate.model, input, dimensions: request.dimensions, providerOptions: request.providerOptions },
              contextFor(candidate, provider, context.signal, scope),
            );
            if (value.embeddings.length !== input.length) {
              throw new InvalidResponseError(`${candidate.provider}: returned ${value.embeddings.length} vectors for ${input.length} inputs`, { provider: candidate.provider });
            }
            return value;
          }),
      ));
      tokensUsed = outcome.value.usage.inputTokens;
      const result: EmbedResult = {
        embeddings: outcome.value.embeddings, dimensions: outcome.value.embeddings[0]?.length ?? 0, usage: outcome.value.usage,
        provider: outcome.candidate.provider, model: outcome.value.model ?? outcome.candidate.model, keySource: outcome.candidate.keySource,
        attempts: outcome.attempts, cost: toCost(outcome.value.cost), latencyMs: performance.now() - call.startedAt,
      };
      if (hooks.onResponse) fireHook(hooks.onResponse, { ...call.event, result });
      return result;
    } catch (error) {
      throw finalError(error, call);
    } finally {
      await held.finish(tokensUsed);
      call.deadline.dispose();
    }
  }

  async function models(listOptions: { refresh?: boolean } = {}): Promise<ModelInfo[]> {
    const listing = await modelsCache.list([...providers.keys()], listOptions);
    return listing.models.map((model) =>
      model.pricing || model.local ? model : { ...model, pricing: priceTable.pricing(model.provider, model.model, { priceProvider: providers.get(model.provider)?.wireFormat }) ?? model.pricing },
    );
  }

  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    health.stop();
    await admission.close();
    await alertChecks?.close().catch(() => undefined);
    await usageWriter.close();
  }

  // Without a vault these throw at once; with one, the services load on first use.
  const withKeys = <T>(what: string, use: (services: KeyService) => Promise<T>): Promise<T> =>
    vault ? tenancy().then((services) => use(services.keys)) : needsVault(what);
  const keys: UserKeys = {
    set: (input) => withKeys('keys.set', (service) => service.set(input)),
    list: (userId) => withKeys('keys.list', (service) => service.list(userId)),
    test: (input) => withKeys('keys.test', (service) => service.test(input)),
    remove: (input) => withKeys('keys.remove', (service) => service.remove(input)),
    managed: {
      setManaged: (input) => withKeys('keys.managed', (service) => service.setManaged(input)),
      listManaged: () => withKeys('keys.managed', (service) => service.listManaged()),
      testManaged: (input) => withKeys('keys.managed', (service) => service.testManaged(input)),
      removeManaged: (input) => withKeys('keys.managed', (service) => service.removeManaged(input)),
    },
  };
  // A plain object of the service's methods (not a proxy): serialising or inspecting it stays inert.
  const instanceMethods = [
    'seedSystemDefinitions', 'listDefinitions', 'getDefinition', 'saveDefinition', 'removeDefinition', 'createInstance', 'updateInstance',
    'getInstance', 'listInstances', 'removeInstance', 'shareInstance', 'unshareInstance', 'listShares', 'resolveProvider',
  ] as const satisfies readonly (keyof InstanceService)[];
  const instances = Object.fromEntries(
    instanceMethods.map((name) => [
      name,
      (...args: unknown[]) =>
        vault
          ? tenancy().then((services) => (services.instances[name] as (...inner: unknown[]) => unknown)(...args))
          : needsVault(`instances.${name}`),
    ]),
  ) as unknown as InstanceService;

  function forUser(userId: string, userOptions: { tier?: string } = {}): UserManager {
    if (typeof userId !== 'string' || userId.length === 0) throw new InvalidRequestError('forUser needs a non-empty userId');
    const loader = (feature: string | undefined): ScopeLoader => async () => {
      const loaded = await userScope(userId, feature);
      return userOptions.tier === undefined ? loaded : { ...loaded, tier: userOptions.tier };
    };
    return {
      userId,
      chat: (request) => chat({ ...request, userId }, loader(request.feature)),
      stream: (request) => stream({ ...request, userId }, loader(request.feature)),
      embed: (request) => embed({ ...request, userId }, loader(request.feature)),
      keys: {
        set: (input) => keys.set({ ...input, userId }),
        list: () => keys.list(userId),
        test: (input) => keys.test({ ...input, userId }),
        remove: (input) => keys.remove({ ...input, userId }),
      },
      usage: {
        summary: async (query) => {
          await usageWriter.flush();
          return storage.summarizeUsage({ ...query, userId });
        },
        recent: async (query = {}) => {
          await usageWriter.flush();
          return storage.recentUsage({ ...query, userId });
        },
      },
    };
  }

  return {
    chat: (request) => chat(request), stream: (request) => stream(request), embed: (request) => embed(request),
    models, close, storage, state, conversations, keys, forUser,
    instances,
    health: async () => {
      await health.refresh();
      return health.report();
    },
    discoverLocal: async (discoverOptions = {}) => {
      const { register, ...probeOptions } = discoverOptions;
      const found = await discoverLocalServers({ fetch: fetchFunction, ...probeOptions });
      if (register) {
        for (const provider of await providersForLocalServers(found.servers)) if (!providers.has(provider.id)) providers.set(provider.id, provider);
        forgetResolutions();
      }
      return found;
    },
    usage: {
      summary: async (query) => {
        await usageWriter.flush();
        return storage.summarizeUsage(query);
      },
      recent: async (query) => {
        await usageWriter.flush();
        return storage.recentUsage(query);
      },
      flush: () => usageWriter.flush(),
    },
  };
}

export type { Attempt, LanguageModelProvider };
