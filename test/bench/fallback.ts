import { Agent, request } from 'undici';
import { node, providers } from './built-package';
import type { ChatRequest } from '../../src/spec/request';
import { benchApiKey, benchLimits, benchRequest, captureWireRequest, createBenchManager } from './clients';
import { interleaved, p50Of, measured, median, type BenchContext, type BenchResult } from './harness';

/**
 * Fallback after a fast non-retryable failure (HTTP 401 from the first candidate): chat() p50 with the
 * fallback, minus one direct chat() p50, minus the raw round trip of the failing request.
 */
export async function runFallback(context: BenchContext): Promise<BenchResult[]> {
  const fallbackManager = node.createLLMManager({
    providers: [
      providers.createOpenAI({ id: 'broken', apiKey: benchApiKey, baseUrl: `${context.upstreamUrl}/fail/v1` }),
      providers.createOpenAI({ apiKey: benchApiKey, baseUrl: `${context.upstreamUrl}/ok/v1` }),
    ],
    routing: { fallback: ['openai:gpt-4.1-nano'] },
    limits: benchLimits,
  });
  const direct = createBenchManager(context.upstreamUrl, 'pooled');
  const fallbackRequest: ChatRequest = { ...benchRequest, model: 'broken:gpt-4.1-nano' };
  const wire = await captureWireRequest(context.upstreamUrl, benchRequest, false);
  const failUrl = wire.url.replace('/ok/', '/fail/');
  const agent = new Agent({ connections: 128, keepAliveTimeout: 30_000 });
  const rawFailure = async () => {
    const response = await request(failUrl, { method: 'POST', headers: wire.headers, body: wire.body, dispatcher: agent });
    await response.body.json();
  };
  const probe = await fallbackManager.chat(fallbackRequest);
  if (probe.attempts.length !== 2 || probe.provider !== 'openai') throw new Error(`expected one failed attempt then openai, got ${JSON.stringify(probe.attempts)}`);

  const block = context.quick ? 200 : 500;
  const rounds = context.quick ? 3 : 5;
  const variants = {
    fallback: () => p50Of(block, () => fallbackManager.chat(fallbackRequest)),
    direct: () => p50Of(block, () => direct.chat(benchRequest)),
    failure: () => p50Of(block, rawFailure),
  };
  for (const variant of Object.values(variants)) await variant();
  const perRound = await interleaved(rounds, variants);
  await Promise.all([fallbackManager.close(), direct.close(), agent.close()]);
  const fallbackP50 = median(perRound.fallback);
  const directP50 = median(perRound.direct);
  const failureP50 = median(perRound.failure);
  return [
    measured({
      name: 'fallback after a fast non-retryable failure, beyond the extra round trip', value: fallbackP50 - directP50 - failureP50, unit: 'µs',
      baseline: directP50, target: '<= 20 µs', meets: (value) => value <= 20,
      note: `p50s: fallback chat() ${fallbackP50.toFixed(1)} µs, direct chat() ${directP50.toFixed(1)} µs, raw 401 round trip ${failureP50.toFixed(1)} µs; value = fallback − direct − raw 401 round trip; pooled transport`,
    }),
  ];
}
