import type { LLMError } from '../../errors/llm-error';
import type { ManagerHooks, RequestEvent } from '../../manager/manager-hooks';
import type { Attempt } from '../../spec/attempt';
import type { ChatResult, EmbedResult } from '../../spec/result';
import type { TelemetryApi, TelemetryAttributes, TelemetryMeter, TelemetrySpan, TelemetryTracer } from './opentelemetry-types';

/** Options of `createOpenTelemetryHooks()`. */
export interface OpenTelemetryHooksOptions {
  /** Where spans go: `trace.getTracer('my-app')`. Omit for metrics only. */
  tracer?: TelemetryTracer;
  /** Where metrics go: `metrics.getMeter('my-app')`. Omit for spans only. */
  meter?: TelemetryMeter;
  /**
   * `{ trace, context }` from `@opentelemetry/api`: request spans then join the caller's active trace and
   * attempt spans nest under them. Without it attempt spans link to their request span instead.
   */
  api?: TelemetryApi;
  /** Also set the deprecated `gen_ai.system` next to `gen_ai.provider.name` (default true, for older backends). */
  legacySystemAttribute?: boolean;
  /** Put the user id on request spans as `enduser.id` (default false: ids may be personal data). */
  recordUserId?: boolean;
  /** Clock in epoch milliseconds (default `Date.now`); spans take their times from it. */
  now?: () => number;
}

// Numeric values of the API's enums, so the API itself need not be imported.
const spanKindClient = 2;
const spanKindInternal = 0;
const statusError = 2;

// Semantic conventions' suggested buckets (seconds; tokens).
const durationBuckets = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
const tokenBuckets = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];

interface OpenRequest {
  span?: TelemetrySpan;
  context?: unknown;
  startedAt: number;
  emittedAttempts: Set<number>;
}

function operationName(event: RequestEvent): 'chat' | 'embeddings' {
  return event.operation === 'embed' ? 'embeddings' : 'chat';
}

function requestedModel(event: RequestEvent): string | undefined {
  return Array.isArray(event.model) ? event.model[0] : event.model;
}

function isChatResult(result: ChatResult | EmbedResult): result is ChatResult {
  return 'finishReason' in result;
}

/**
 * Manager hooks that report every call to OpenTelemetry following the GenAI semantic conventions: a CLIENT
 * span per request (`chat gpt-4o-mini`, `embeddings …`) and one per provider attempt (failed ones carry
 * `error.type`), plus the `gen_ai.client.operation.duration` and `gen_ai.client.token.usage` histograms and
 * counters for requests, cost, fallbacks and cache hits. Pass them as `createLLMManager({ hooks })`.
 */
export function createOpenTelemetryHooks(options: OpenTelemetryHooksOptions): ManagerHooks {
  const { tracer, meter, api } = options;
  const now = options.now ?? Date.now;
  const legacySystem = options.legacySystemAttribute ?? true;
  const open = new Map<string, OpenRequest>();

  const instruments = meter && {
    duration: meter.createHistogram('gen_ai.client.operation.duration', {
      description: 'GenAI operation duration', unit: 's', advice: { explicitBucketBoundaries: durationBuckets },
    }),
    tokens: meter.createHistogram('gen_ai.client.token.usage', {
      description: 'Number of input and output tokens used', unit: '{token}', advice: { explicitBucketBoundaries: tokenBuckets },
    }),
    requests: meter.createCounter('llm_switchyard.requests', { description: 'Calls through the manager, by outcome', unit: '{request}' }),
    cost: meter.createCounter('llm_switchyard.cost', { description: 'Cost of served calls', unit: 'USD' }),
    fallbacks: meter.createCounter('llm_switchyard.fallbacks', { description: 'Moves from a failed candidate to the next', unit: '{fallback}' }),
    cacheHits: meter.createCounter('llm_switchyard.cache.hits', { description: 'Calls answered from the response cache', unit: '{request}' }),
  };

  function providerAttributes(provider: string): TelemetryAttributes {
    return legacySystem ? { 'gen_ai.provider.name': provider, 'gen_ai.system': provider } : { 'gen_ai.provider.name': provider };
  }

  function attemptSpan(request: OpenRequest, event: RequestEvent, attempt: Attempt, endTime: number, extra: TelemetryAttributes = {}): void {
    request.emittedAttempts.add(attempt.attemptNumber);
    if (!tracer || !request.span) return;
    const operation = operationName(event);
    const attributes: TelemetryAttributes = {
      'gen_ai.operation.name': operation,
      ...providerAttributes(attempt.provider),
      'gen_ai.request.model': attempt.model,
      'llm_switchyard.attempt.number': attempt.attemptNumber,
      'llm_switchyard.attempt.retries': attempt.retries,
      'llm_switchyard.key_source': attempt.keySource,
      ...extra,
    };
    if (attempt.status !== 'success') {
      attributes['error.type'] = attempt.errorClass ?? attempt.status;
      if (attempt.httpStatus !== undefined) attributes['http.response.status_code'] = attempt.httpStatus;
    }
    const spanOptions = {
      kind: spanKindClient, attributes, startTime: endTime - attempt.latencyMs,
      ...(api ? {} : { links: [{ context: request.span.spanContext() }] }),
    };
    const span = tracer.startSpan(`${operation} ${attempt.model}`, spanOptions, request.context);
    if (attempt.status !== 'success') span.setStatus({ code: statusError, message: attempt.errorMessage ?? attempt.status });
    span.end(endTime);
  }

  /** Spans for attempts no hook reported yet, laid back to back ending now (they ran one after another). */
  function remainingAttempts(request: OpenRequest, event: RequestEvent, attempts: readonly Attempt[], endTime: number, served?: TelemetryAttributes): void {
    const pending = attempts.filter((attempt) => !request.emittedAttempts.has(attempt.attemptNumber));
    let cursor = endTime;
    for (let index = pending.length - 1; index >= 0; index--) {
      const attempt = pending[index]!;
      attemptSpan(request, event, attempt, cursor, attempt.status === 'success' ? served : undefined);
      cursor -= attempt.latencyMs;
    }
  }

  function metricAttributes(event: RequestEvent, provider?: string, responseModel?: string): TelemetryAttributes {
    const attributes: TelemetryAttributes = { 'gen_ai.operation.name': operationName(event) };
    const model = requestedModel(event);
    if (model !== undefined) attributes['gen_ai.request.model'] = model;
    if (provider !== undefined) Object.assign(attributes, providerAttributes(provider));
    if (responseModel !== undefined) attributes['gen_ai.response.model'] = responseModel;
    return attributes;
  }

  return {
    onRequest(event) {
      const startedAt = now();
      const request: OpenRequest = { startedAt, emittedAttempts: new Set() };
      if (tracer) {
        const operation = operationName(event);
        const model = requestedModel(event);
        const attributes: TelemetryAttributes = {
          'gen_ai.operation.name': operation,
          'llm_switchyard.request_id': event.requestId,
          'llm_switchyard.streaming': event.operation === 'stream',
        };
        if (model !== undefined) attributes['gen_ai.request.model'] = model;
        if (Array.isArray(event.model)) attributes['llm_switchyard.request.models'] = event.model;
        if (event.feature !== undefined) attributes['llm_switchyard.feature'] = event.feature;
        if (options.recordUserId && event.userId !== undefined) attributes['enduser.id'] = event.userId;
        // The request span stands for the whole routed call; attempts below it are the real client calls.
        const parent = api?.context.active();
        request.span = tracer.startSpan(model ? `${operation} ${model}` : operation, { kind: spanKindInternal, attributes, startTime: startedAt }, parent);
        if (api) request.context = api.trace.setSpan(parent, request.span);
      }
      open.set(event.requestId, request);
    },

    onFallback(event) {
      const request = open.get(event.requestId);
      instruments?.fallbacks.add(1, {
        ...metricAttributes(event, event.failed.provider), 'error.type': event.failed.errorClass ?? event.failed.status,
        'llm_switchyard.fallback.to': `${event.next.provider}:${event.next.model}`,
      });
      if (request) attemptSpan(request, event, event.failed, now());
    },

    onResponse(event) {
      const request = open.get(event.requestId);
      open.delete(event.requestId);
      const endTime = now();
      const result = event.result;
      const served: TelemetryAttributes = { 'gen_ai.response.model': result.model, 'gen_ai.usage.input_tokens': result.usage.inputTokens };
      if (isChatResult(result)) {
        served['gen_ai.usage.output_tokens'] = result.usage.outputTokens;
        served['gen_ai.response.finish_reasons'] = [result.finishReason];
        if (result.responseId !== undefined) served['gen_ai.response.id'] = result.responseId;
      }
      const cached = isChatResult(result) && result.cached;
      if (request?.span) {
        request.span.setAttributes({
          ...providerAttributes(result.provider), ...served,
          'llm_switchyard.cached': cached,
          'llm_switchyard.cost.usd': result.cost.usd,
          'llm_switchyard.cost.priced': result.cost.priced,
          'llm_switchyard.key_source': result.keySource,
          'llm_switchyard.attempts': result.attempts.length,
        });
        // A cache hit made no provider call, so it has no attempt spans.
        if (!cached) remainingAttempts(request, event, result.attempts, endTime, served);
        request.span.end(endTime);
      }
      if (instruments) {
        const attributes = metricAttributes(event, result.provider, result.model);
        instruments.duration.record((endTime - (request?.startedAt ?? endTime)) / 1000, attributes);
        if (!cached) {
          instruments.tokens.record(result.usage.inputTokens, { ...attributes, 'gen_ai.token.type': 'input' });
          if (isChatResult(result)) instruments.tokens.record(result.usage.outputTokens, { ...attributes, 'gen_ai.token.type': 'output' });
        }
        instruments.requests.add(1, { ...attributes, 'llm_switchyard.outcome': cached ? 'cache-hit' : 'success' });
        if (cached) instruments.cacheHits.add(1, attributes);
        if (result.cost.usd > 0) instruments.cost.add(result.cost.usd, { ...attributes, 'llm_switchyard.key_source': result.keySource });
      }
    },

    onError(event) {
      const request = open.get(event.requestId);
      open.delete(event.requestId);
      const endTime = now();
      const error: LLMError = event.error;
      const errorType = error.name;
      if (request?.span) {
        remainingAttempts(request, event, event.attempts, endTime);
        request.span.setAttributes({ 'error.type': errorType, 'llm_switchyard.error.code': error.code, 'llm_switchyard.attempts': event.attempts.length });
        request.span.recordException(error, endTime);
        request.span.setStatus({ code: statusError, message: error.message });
        request.span.end(endTime);
      }
      if (instruments) {
        const attributes = { ...metricAttributes(event), 'error.type': errorType };
        instruments.duration.record((endTime - (request?.startedAt ?? endTime)) / 1000, attributes);
        instruments.requests.add(1, { ...attributes, 'llm_switchyard.outcome': 'error' });
      }
    },
  };
}
