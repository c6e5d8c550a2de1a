// The Responses API (`createOpenAI({ api: 'responses' })`) replayed from the recorded /v1/responses
// fixtures. Expected values are read off each recording: text = joined output_text deltas, reasoning =
// joined reasoning summary deltas, tool calls = finished function_call items, usage = response.usage.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LLMError } from '../../src/errors/llm-error';
import { createOpenAI } from '../../src/providers/openai';
import { createXai } from '../../src/providers/openai-compatible';
import type { Usage } from '../../src/spec/usage';
import { frameEvents, readChunkLines, readChunks, readFixture, startReplayServer, type ReplayServer } from '../support/provider-fixtures';
import { collectStream, describeProviderConformance, type ExpectedOutcome, type ProviderFixtureCase } from './provider-conformance';

const apiKey = 'sk-test-responses-0123456789';
const openAI = (baseUrl: string) => createOpenAI({ apiKey, baseUrl, api: 'responses' });

function recordedUsage(usage: any): Partial<Usage> {
  return {
    inputTokens: usage.input_tokens,
    outputTokens: usage.output_tokens,
    totalTokens: usage.total_tokens,
    cachedInputTokens: usage.input_tokens_details.cached_tokens,
    reasoningTokens: usage.output_tokens_details.reasoning_tokens,
  };
}

function expectedFromEvents(events: any[]): ExpectedOutcome {
  const completed = events.find((event) => event.type === 'response.completed').response;
  const toolCalls = events
    .filter((event) => event.type === 'response.output_item.done' && event.item.type === 'function_call')
    .map((event) => ({ id: event.item.call_id, name: event.item.name, arguments: JSON.parse(event.item.arguments) }));
  const join = (type: string) => events.filter((event) => event.type === type).map((event) => event.delta).join('');
  const expected: ExpectedOutcome = {
    text: join('response.output_text.delta'),
    toolCalls,
    finishReason: toolCalls.length > 0 ? 'tool-calls' : 'stop',
    usage: recordedUsage(completed.usage),
    responseId: events.find((event) => event.type === 'response.created').response.id,
  };
  const reasoning = join('response.reasoning_summary_text.delta');
  if (reasoning) expected.reasoning = reasoning;
  return expected;
}

function expectedFromBody(relativePath: string): ExpectedOutcome {
  const body = JSON.parse(readFixture(relativePath));
  let text = '';
  let reasoning = '';
  const toolCalls: ExpectedOutcome['toolCalls'] = [];
  for (const item of body.output) {
    if (item.type === 'message') for (const part of item.content) text += part.text;
    if (item.type === 'reasoning') for (const part of item.summary) reasoning += part.text;
    if (item.type === 'function_call') toolCalls.push({ id: item.call_id, name: item.name, arguments: JSON.parse(item.arguments) });
  }
  const expected: ExpectedOutcome = { text, toolCalls, finishReason: toolCalls.length > 0 ? 'tool-calls' : 'stop', usage: recordedUsage(body.usage), responseId: body.id };
  if (reasoning) expected.reasoning = reasoning;
  return expected;
}

function streamCase(fixture: string, createProvider: ProviderFixtureCase['createProvider'] = openAI, recipe: 'A' | 'B' = 'B'): ProviderFixtureCase {
  return {
    name: `${fixture} (recipe ${recipe === 'B' ? 'B: event names, no [DONE]' : 'F: data lines and [DONE]'})`,
    fixture,
    recipe,
    createProvider,
    expected: expectedFromEvents(readChunks(fixture)),
    checkRequest: (request) => {
      expect(request.url).toBe('/responses');
      expect(request.headers.authorization).toBe(`Bearer ${apiKey}`);
      expect(request.body).toMatchObject({ model: 'test-model', stream: true, input: [{ role: 'user', content: 'Hello' }] });
    },
  };
}

function bodyCase(fixture: string): ProviderFixtureCase {
  return { name: fixture, fixture, recipe: 'H', createProvider: openAI, expected: expectedFromBody(fixture), checkRequest: (request) => expect(request.url).toBe('/responses') };
}

const xaiResponses = (baseUrl: string) => createXai({ apiKey, baseUrl, api: 'responses' });

describeProviderConformance('openai responses api', [
  streamCase('openai/openai-shell-local-multiturn.1.chunks.txt'),
  streamCase('openai/openai-shell-local-multiturn.1.chunks.txt', openAI, 'A'),
  streamCase('openai/openai-client-tool-search.2.chunks.txt'),
  streamCase('openai/openai-web-search-tool.1.chunks.txt'),
  streamCase('xai/xai-text-with-reasoning-streaming.1.chunks.txt', xaiResponses, 'A'),
  streamCase('xai/xai-text-with-reasoning-streaming.1.chunks.txt', xaiResponses, 'B'),
  bodyCase('openai/openai-shell-local-multiturn.1.json'),
  bodyCase('openai/openai-client-tool-search.2.json'),
  bodyCase('openai/openai-web-search-tool.1.json'),
  bodyCase('openai/openai-reasoning-encrypted-content.1.json'),
  {
    name: 'error event in the stream (insufficient_quota), then response.failed',
    fixture: 'openai/openai-error.1.chunks.txt',
    recipe: 'B',
    createProvider: openAI,
    expected: { errorClass: 'ProviderRateLimitError', status: 429, retryable: false },
  },
  {
    name: 'reasoning model temperature error (400)',
    fixture: 'openai/reasoning-model-temperature-error.json',
    recipe: 'H',
    status: 400,
    createProvider: openAI,
    expected: { errorClass: 'InvalidRequestError', status: 400 },
  },
]);

describe('openai responses api', () => {
  let server: ReplayServer;
  beforeAll(async () => {
    server = await startReplayServer();
  });
  afterAll(async () => {
    await server.close();
  });
  const context = { fetch: globalThis.fetch };

  it('replays each of the four responses of a recorded tool loop (reasoning, 3 function calls, text)', async () => {
    const lines = readChunkLines('openai/openai-reasoning-encrypted-content.1.chunks.txt');
    const starts = lines.flatMap((line, index) => (JSON.parse(line).type === 'response.created' ? [index] : []));
    expect(starts).toHaveLength(4);
    for (const [position, start] of starts.entries()) {
      const slice = lines.slice(start, starts[position + 1] ?? lines.length);
      const expected = expectedFromEvents(slice.map((line) => JSON.parse(line)));
      server.enqueue({ body: frameEvents(slice, 'B'), splitPiecesAt: 11 });
      const result = await collectStream(openAI(server.url).stream({ model: 'gpt-5.1-codex-max', messages: [{ role: 'user', content: 'Compute' }] }, context));
      expect(result.text).toBe(expected.text);
      expect(result.reasoning ?? '').toBe(expected.reasoning ?? '');
      expect(result.toolCalls.map(({ id, name, arguments: args }) => ({ id, name, arguments: args }))).toEqual(expected.toolCalls);
      expect(result.finishReason).toBe(expected.finishReason);
      expect(result.usage).toMatchObject(expected.usage);
    }
  });

  it('never finishes a stream cut before response.completed', async () => {
    const lines = readChunkLines('openai/openai-shell-local-multiturn.1.chunks.txt');
    server.enqueue({ body: frameEvents(lines.slice(0, -1), 'B') });
    const error = await collectStream(openAI(server.url).stream({ model: 'gpt-5.2', messages: [{ role: 'user', content: 'Hi' }] }, context)).catch((caught: unknown) => caught);
    expect(LLMError.isInstance(error) && error.name).toBe('InvalidResponseError');

    server.enqueue({ body: frameEvents(lines, 'B'), destroyAfterPieces: 6 });
    const dropped = await collectStream(openAI(server.url).stream({ model: 'gpt-5.2', messages: [{ role: 'user', content: 'Hi' }] }, context)).catch((caught: unknown) => caught);
    expect(LLMError.isInstance(dropped) && dropped.name).toBe('NetworkError');
  });

  it('maps a flat error event with rate_limit_exceeded to a retryable 429', async () => {
    const lines = readChunkLines('openai/openai-shell-local-multiturn.1.chunks.txt').slice(0, 2);
    const flat = JSON.stringify({ type: 'error', code: 'rate_limit_exceeded', message: 'Rate limit reached', param: null, sequence_number: 2 });
    server.enqueue({ body: frameEvents([...lines, flat], 'B') });
    const error = await collectStream(openAI(server.url).stream({ model: 'gpt-5.2', messages: [{ role: 'user', content: 'Hi' }] }, context)).catch((caught: unknown) => caught);
    expect(LLMError.isInstance(error)).toBe(true);
    expect((error as LLMError).name).toBe('ProviderRateLimitError');
    expect((error as LLMError).retryable).toBe(true);
  });

  it('sends input items, flat function tools, text.format and max_output_tokens', async () => {
    server.enqueue({ body: readFixture('openai/openai-client-tool-search.2.json') });
    await openAI(server.url).chat(
      {
        model: 'gpt-5.4',
        maxTokens: 100,
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: [{ type: 'text', text: 'Weather?' }, { type: 'image', image: 'https://example.com/sky.png' }] },
          { role: 'assistant', content: [{ type: 'text', text: 'Checking.' }, { type: 'tool-call', toolCallId: 'call_1', toolName: 'get_weather', arguments: { location: 'Paris' } }] },
          { role: 'tool', toolCallId: 'call_1', content: '{"temperature":21}' },
        ],
        tools: [{ name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { location: { type: 'string' } } } }],
        toolChoice: { type: 'tool', name: 'get_weather' },
        responseFormat: { type: 'json-schema', name: 'weather', schema: { type: 'object', properties: { summary: { type: 'string' } } }, strict: true },
        providerOptions: { openai: { reasoning: { effort: 'low' }, store: false } },
      },
      context,
    );
    expect(server.requests.at(-1)!.body).toEqual({
      model: 'gpt-5.4',
      max_output_tokens: 100,
      input: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'input_text', text: 'Weather?' }, { type: 'input_image', image_url: 'https://example.com/sky.png' }] },
        { role: 'assistant', content: 'Checking.' },
        { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{"location":"Paris"}' },
        { type: 'function_call_output', call_id: 'call_1', output: '{"temperature":21}' },
      ],
      tools: [{ type: 'function', name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { location: { type: 'string' } } } }],
      tool_choice: { type: 'function', name: 'get_weather' },
      text: { format: { type: 'json_schema', name: 'weather', schema: { type: 'object', properties: { summary: { type: 'string' } } }, strict: true } },
      reasoning: { effort: 'low' },
      store: false,
    });
  });

  it('rejects stop sequences, which the Responses API does not have, before sending', async () => {
    const before = server.requests.length;
    const error = await openAI(server.url).chat({ model: 'gpt-5.4', messages: [{ role: 'user', content: 'Hi' }], stop: ['END'] }, context).catch((caught: unknown) => caught);
    expect((error as LLMError).name).toBe('InvalidRequestError');
    expect((error as LLMError).message).toContain('stop');
    expect(server.requests.length).toBe(before);
  });
});
