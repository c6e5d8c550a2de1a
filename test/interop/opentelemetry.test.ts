import { context, trace } from '@opentelemetry/api';
import { AggregationTemporality, DataPointType, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader, type MetricData } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLLMManager, type LLMManager } from 'llm-switchyard';
import { createOpenTelemetryHooks } from 'llm-switchyard/interop';
import { createMockProvider, type MockProvider } from 'llm-switchyard/testing';

interface Setup {
  spans: InMemorySpanExporter;
  metrics: InMemoryMetricExporter;
  reader: PeriodicExportingMetricReader;
  tracerProvider: BasicTracerProvider;
  meterProvider: MeterProvider;
  primary: MockProvider;
  backup: MockProvider;
  llm: LLMManager;
}

function setUp(withApi: boolean, managerOptions: Partial<Parameters<typeof createLLMManager>[0]> = {}): Setup {
  const spans = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  const metrics = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter: metrics, exportIntervalMillis: 3_600_000 });
  const meterProvider = new MeterProvider({ readers: [reader] });
  const hooks = createOpenTelemetryHooks({
    tracer: tracerProvider.getTracer('switchyard-test'),
    meter: meterProvider.getMeter('switchyard-test'),
    ...(withApi ? { api: { trace, context } } : {}),
    recordUserId: true,
  });
  // Priced, non-local mocks so cost is real; the manager's price table knows them through overrides.
  const pricing = { inputPerMillion: 1_000, outputPerMillion: 2_000 };
  const primary = createMockProvider({ id: 'primary', local: false, pricing });
  const backup = createMockProvider({ id: 'backup', local: false, pricing });
  const llm = createLLMManager({
    providers: [primary, backup], fetch: globalThis.fetch, hooks, routing: { maxRetries: 0 },
    pricing: { overrides: { 'primary:*': pricing, 'backup:*': pricing } },
    ...managerOptions,
  });
  return { spans, metrics, reader, tracerProvider, meterProvider, primary, backup, llm };
}

async function tearDown(setup: Setup): Promise<void> {
  await setup.llm.close();
  await setup.meterProvider.shutdown();
  await setup.tracerProvider.shutdown();
}

async function collectMetrics(setup: Setup): Promise<Map<string, MetricData>> {
  await setup.reader.forceFlush();
  const byName = new Map<string, MetricData>();
  for (const resource of setup.metrics.getMetrics()) {
    for (const scope of resource.scopeMetrics) for (const metric of scope.metrics) byName.set(metric.descriptor.name, metric);
  }
  return byName;
}

function byName(spans: ReadableSpan[], name: string): ReadableSpan[] {
  return spans.filter((span) => span.name === name);
}

describe('createOpenTelemetryHooks', () => {
  let setup: Setup;
  beforeEach(() => {
    setup = setUp(true);
  });
  afterEach(() => tearDown(setup));

  it('makes a request span and a nested attempt span with the GenAI attributes', async () => {
    setup.primary.enqueue({ text: 'hi', usage: { inputTokens: 12, outputTokens: 7 }, responseId: 'resp-9', model: 'model-served' });
    await setup.llm.chat({ model: 'primary:model-a', messages: [{ role: 'user', content: 'x' }], userId: 'u1', feature: 'support' });
    const spans = setup.spans.getFinishedSpans();
    expect(spans).toHaveLength(2);
    const [attempt, request] = [byName(spans, 'chat model-a').find((span) => span.kind === 2)!, byName(spans, 'chat primary:model-a')[0]!];
    expect(request.kind).toBe(0);
    expect(request.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'primary:model-a', 'gen_ai.provider.name': 'primary', 'gen_ai.system': 'primary',
      'gen_ai.response.model': 'model-served', 'gen_ai.response.id': 'resp-9', 'gen_ai.usage.input_tokens': 12, 'gen_ai.usage.output_tokens': 7,
      'gen_ai.response.finish_reasons': ['stop'], 'llm_switchyard.feature': 'support', 'enduser.id': 'u1', 'llm_switchyard.cached': false,
      'llm_switchyard.streaming': false, 'llm_switchyard.cost.priced': true,
    });
    expect(request.attributes['llm_switchyard.cost.usd']).toBeCloseTo((12 * 1_000 + 7 * 2_000) / 1_000_000, 9);
    expect(attempt.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'primary', 'gen_ai.request.model': 'model-a', 'gen_ai.response.model': 'model-served',
      'gen_ai.usage.input_tokens': 12, 'gen_ai.usage.output_tokens': 7, 'llm_switchyard.attempt.number': 1,
    });
    expect(attempt.attributes).not.toHaveProperty('error.type');
    expect(attempt.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
    expect(attempt.spanContext().traceId).toBe(request.spanContext().traceId);
    expect(request.status.code).toBe(0);
  });

  it('records a failed attempt with error.type, the fallback, and the serving attempt', async () => {
    setup.primary.enqueue({ error: 'overloaded' });
    setup.backup.enqueue({ text: 'from backup' });
    const result = await setup.llm.chat({ model: ['primary', 'backup'], messages: [{ role: 'user', content: 'x' }] });
    expect(result.provider).toBe('backup');
    const spans = setup.spans.getFinishedSpans();
    const request = spans.find((span) => span.kind === 0)!;
    const attempts = spans.filter((span) => span.kind === 2).sort((a, b) => Number(a.attributes['llm_switchyard.attempt.number']) - Number(b.attributes['llm_switchyard.attempt.number']));
    expect(attempts.map((span) => [span.attributes['gen_ai.provider.name'], span.attributes['error.type'], span.status.code])).toEqual([
      ['primary', 'OverloadedError', 2],
      ['backup', undefined, 0],
    ]);
    expect(attempts[0]!.attributes['http.response.status_code']).toBe(529);
    for (const attempt of attempts) expect(attempt.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
    expect(request.attributes['gen_ai.provider.name']).toBe('backup');
    expect(request.attributes['llm_switchyard.attempts']).toBe(2);

    const metrics = await collectMetrics(setup);
    const fallbacks = metrics.get('llm_switchyard.fallbacks')!;
    expect(fallbacks.dataPoints).toHaveLength(1);
    expect(fallbacks.dataPoints[0]).toMatchObject({ value: 1, attributes: { 'gen_ai.provider.name': 'primary', 'error.type': 'OverloadedError', 'llm_switchyard.fallback.to': 'backup:mock-model' } });
  });

  it('marks a failed call: error.type on the request span, error status, exception event, error metrics', async () => {
    setup.primary.enqueue({ error: 'authentication' });
    await expect(setup.llm.chat({ model: 'primary', messages: [{ role: 'user', content: 'x' }] })).rejects.toBeDefined();
    const spans = setup.spans.getFinishedSpans();
    const request = spans.find((span) => span.kind === 0)!;
    expect(request.status.code).toBe(2);
    expect(request.attributes['error.type']).toMatch(/Error$/);
    expect(request.events.some((event) => event.name === 'exception')).toBe(true);
    const attempt = spans.find((span) => span.kind === 2)!;
    expect(attempt.attributes['error.type']).toBe('AuthenticationError');

    const metrics = await collectMetrics(setup);
    const requests = metrics.get('llm_switchyard.requests')!;
    expect(requests.dataPoints.map((point) => point.attributes['llm_switchyard.outcome'])).toEqual(['error']);
    const duration = metrics.get('gen_ai.client.operation.duration')!;
    expect(duration.descriptor.unit).toBe('s');
    expect(duration.dataPoints[0]!.attributes['error.type']).toBe(request.attributes['error.type']);
  });

  it('covers streams and embeddings and emits token, duration, request and cost metrics', async () => {
    setup.primary.enqueue({ text: 'one two', usage: { inputTokens: 3, outputTokens: 2 } });
    await setup.llm.stream({ model: 'primary', messages: [{ role: 'user', content: 'x' }] }).collect();
    await setup.llm.embed({ model: 'primary', input: ['a', 'b'] });
    const spans = setup.spans.getFinishedSpans();
    const streamRequest = spans.find((span) => span.kind === 0 && span.attributes['llm_switchyard.streaming'] === true)!;
    expect(streamRequest.attributes).toMatchObject({ 'gen_ai.usage.input_tokens': 3, 'gen_ai.usage.output_tokens': 2, 'gen_ai.response.finish_reasons': ['stop'] });
    const embedRequest = spans.find((span) => span.kind === 0 && span.attributes['gen_ai.operation.name'] === 'embeddings')!;
    expect(embedRequest.name).toBe('embeddings primary');
    expect(embedRequest.attributes['gen_ai.response.model']).toBe('mock-embedding');

    const metrics = await collectMetrics(setup);
    const tokens = metrics.get('gen_ai.client.token.usage')!;
    expect(tokens.dataPointType).toBe(DataPointType.HISTOGRAM);
    expect(tokens.descriptor.unit).toBe('{token}');
    const tokenSums = Object.fromEntries(
      tokens.dataPoints.map((point) => [`${point.attributes['gen_ai.operation.name']}/${point.attributes['gen_ai.token.type']}`, (point.value as { sum: number }).sum]),
    );
    expect(tokenSums).toMatchObject({ 'chat/input': 3, 'chat/output': 2, 'embeddings/input': expect.any(Number) });
    const duration = metrics.get('gen_ai.client.operation.duration')!;
    expect(duration.dataPoints.reduce((count, point) => count + (point.value as { count: number }).count, 0)).toBe(2);
    const requests = metrics.get('llm_switchyard.requests')!;
    expect(requests.dataPoints.reduce((sum, point) => sum + (point.value as number), 0)).toBe(2);
    const cost = metrics.get('llm_switchyard.cost')!;
    expect(cost.descriptor.unit).toBe('USD');
    expect(cost.dataPoints.reduce((sum, point) => sum + (point.value as number), 0)).toBeGreaterThan(0);
  });
});

describe('createOpenTelemetryHooks with the response cache', () => {
  it('counts cache hits and makes no attempt span for them', async () => {
    const setup = setUp(true, { cache: { ttlMs: 60_000 } });
    try {
      setup.primary.enqueue({ text: 'cached answer' });
      const request = { model: 'primary', messages: [{ role: 'user' as const, content: 'same question' }], userId: 'u1' };
      await setup.llm.chat(request);
      const second = await setup.llm.chat(request);
      expect(second.cached).toBe(true);
      const spans = setup.spans.getFinishedSpans();
      expect(spans.filter((span) => span.kind === 0).map((span) => span.attributes['llm_switchyard.cached'])).toEqual([false, true]);
      expect(spans.filter((span) => span.kind === 2)).toHaveLength(1);
      const metrics = await collectMetrics(setup);
      expect(metrics.get('llm_switchyard.cache.hits')!.dataPoints[0]!.value).toBe(1);
    } finally {
      await tearDown(setup);
    }
  });
});

describe('createOpenTelemetryHooks without the api object', () => {
  it('links attempt spans to their request span', async () => {
    const setup = setUp(false);
    try {
      await setup.llm.chat({ model: 'primary', messages: [{ role: 'user', content: 'x' }] });
      const spans = setup.spans.getFinishedSpans();
      const request = spans.find((span) => span.kind === 0)!;
      const attempt = spans.find((span) => span.kind === 2)!;
      expect(attempt.links.map((link) => link.context.spanId)).toEqual([request.spanContext().spanId]);
    } finally {
      await tearDown(setup);
    }
  });
});
