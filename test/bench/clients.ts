import { createParser } from 'eventsource-parser';
import { Agent, request } from 'undici';
import type { LLMManager } from '../../src/manager/create-llm-manager';
import type { LLMManagerOptions } from '../../src/manager/manager-options';
import { core, node, providers } from './built-package';
import type { ChatRequest } from '../../src/spec/request';

/** The request every latency/throughput metric sends. */
export const benchRequest: ChatRequest = {
  model: 'openai:gpt-4.1-nano',
  messages: [{ role: 'user', content: 'Say hello in one short sentence.' }],
};

export const benchApiKey = 'sk-bench-0000000000000000';

/** Which transport the manager uses: `globalThis.fetch` (the portable core) or the pooled undici fetch (Node default). */
export type Transport = 'fetch' | 'pooled';

/**
 * Concurrency slots high enough that the limiter runs (its cost is measured) but never queues a bench call:
 * the default global pool (50) would otherwise cap the concurrency-64 and 1,000-in-flight groups.
 */
export const benchLimits = { concurrency: { global: 4096, perUser: 4096 } };

/** A manager talking to the upstream route (`ok`, `long`, `fail`, `hold`). */
export function createBenchManager(
  upstreamUrl: string,
  transport: Transport,
  overrides: Partial<LLMManagerOptions> & Record<string, unknown> = {},
  route = 'ok',
): LLMManager {
  const options = {
    providers: [providers.createOpenAI({ apiKey: benchApiKey, baseUrl: `${upstreamUrl}/${route}/v1` })],
    limits: benchLimits,
    ...overrides,
  } as LLMManagerOptions;
  return transport === 'pooled' ? node.createLLMManager(options) : core.createLLMManager(options);
}

/** What the adapter actually puts on the wire, captured once so the raw baseline sends the same bytes. */
export interface CapturedRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export async function captureWireRequest(upstreamUrl: string, chat: ChatRequest, stream: boolean): Promise<CapturedRequest> {
  let captured: CapturedRequest | undefined;
  const recording: typeof fetch = async (input, init) => {
    captured = {
      url: String(input),
      headers: Object.fromEntries(new Headers(init?.headers).entries()),
      body: String(init?.body),
    };
    return globalThis.fetch(input, init);
  };
  const manager = createBenchManager(upstreamUrl, 'fetch', { fetch: recording });
  if (stream) for await (const _part of manager.stream(chat));
  else await manager.chat(chat);
  await manager.close();
  if (!captured) throw new Error('the adapter sent no request');
  return captured;
}

/** Raw undici.request over its own keep-alive Agent: the baseline for latency, CPU and throughput. */
export function createRawUndiciClient(wire: CapturedRequest, connections = 128) {
  const agent = new Agent({ connections, keepAliveTimeout: 30_000 });
  return {
    async chat(): Promise<unknown> {
      const response = await request(wire.url, { method: 'POST', headers: wire.headers, body: wire.body, dispatcher: agent });
      return response.body.json();
    },
    close: () => agent.close(),
  };
}

/**
 * The manager's own Node transport alone (`createPooledFetch`) with the same bytes and `response.json()`:
 * not a target baseline, but it separates what the pipeline costs from what the transport saves against
 * undici.request.
 */
export function createPooledTransportClient(wire: CapturedRequest) {
  const pool = node.createPooledFetch();
  const init = { method: 'POST', headers: wire.headers, body: wire.body };
  return {
    chat: () => pool.fetch(wire.url, init).then((response) => response.json()),
    close: () => pool.close(),
  };
}

/** Raw globalThis.fetch with the same bytes: not a target baseline, but it separates fetch's own cost from the manager's. */
export function createRawFetchClient(wire: CapturedRequest) {
  return {
    async chat(): Promise<unknown> {
      const response = await fetch(wire.url, { method: 'POST', headers: wire.headers, body: wire.body });
      return response.json();
    },
  };
}

/**
 * Raw streaming baseline: `globalThis.fetch` + eventsource-parser, JSON-parsing each event like any client
 * must. `onEvent` sees every parsed payload; returns the number of events.
 */
export async function rawFetchStream(wire: CapturedRequest, onFirstContent?: () => void): Promise<number> {
  const response = await fetch(wire.url, { method: 'POST', headers: wire.headers, body: wire.body });
  let events = 0;
  let sawContent = false;
  const parser = createParser({
    onEvent(event) {
      if (event.data === '[DONE]') return;
      const payload = JSON.parse(event.data) as { choices?: Array<{ delta?: { content?: string } }> };
      events++;
      if (!sawContent && payload.choices?.[0]?.delta?.content) {
        sawContent = true;
        onFirstContent?.();
      }
    },
  });
  const decoder = new TextDecoder();
  for await (const bytes of response.body as unknown as AsyncIterable<Uint8Array>) parser.feed(decoder.decode(bytes, { stream: true }));
  return events;
}

/**
 * The ways the latency and cpu groups send one chat: raw undici, raw fetch, the pooled transport alone, the
 * manager over fetch and over the pool.
 */
export async function createChatClients(upstreamUrl: string) {
  const wire = await captureWireRequest(upstreamUrl, benchRequest, false);
  const raw = createRawUndiciClient(wire);
  const rawFetch = createRawFetchClient(wire);
  const transport = createPooledTransportClient(wire);
  const viaFetch = createBenchManager(upstreamUrl, 'fetch');
  const viaPool = createBenchManager(upstreamUrl, 'pooled');
  return {
    calls: {
      raw: () => raw.chat(),
      rawFetch: () => rawFetch.chat(),
      transport: () => transport.chat(),
      fetch: () => viaFetch.chat(benchRequest),
      pooled: () => viaPool.chat(benchRequest),
    },
    close: async () => {
      await Promise.all([raw.close(), transport.close(), viaFetch.close(), viaPool.close()]);
    },
  };
}
