// The helpers every adapter shares (src/providers/shared), and the behaviour fixes that came with sharing
// them, replayed through the adapters where the wire is involved.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { LLMError } from '../../src/errors/llm-error';
import { createAnthropic } from '../../src/providers/anthropic';
import { createCohere } from '../../src/providers/cohere';
import { createGoogle } from '../../src/providers/google';
import { createOllama } from '../../src/providers/ollama';
import { createOpenAI } from '../../src/providers/openai';
import { estimatePromptTokens, estimateUsage } from '../../src/providers/shared/estimate-usage';
import { selectNamedTool, toFunctionTool } from '../../src/providers/shared/function-tool';
import { generateToolCallId } from '../../src/providers/shared/generate-tool-call-id';
import { bytesToBase64, parseBase64DataUrl, toImageUrl, toInlineImage } from '../../src/providers/shared/image-data';
import { collectProviderOptions, mergeProviderOptions, providerOptionSources } from '../../src/providers/shared/merge-provider-options';
import { toJsonSchema } from '../../src/providers/shared/to-json-schema';
import { parseToolArguments, stringifyToolArguments } from '../../src/providers/shared/tool-arguments';
import { checkApiKey, checkProviderId, normalizeBaseUrl } from '../../src/providers/shared/validate-provider-settings';
import { readFixture, startReplayServer, type ReplayServer } from '../support/provider-fixtures';
import { collectStream } from './provider-conformance';

function caught(run: () => unknown): LLMError {
  try {
    run();
  } catch (error) {
    if (LLMError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a throw');
}

describe('toJsonSchema', () => {
  it('converts zod without the $schema marker and passes JSON Schema through untouched', () => {
    expect(toJsonSchema(z.object({ city: z.string() }))).toEqual({
      type: 'object',
      properties: { city: { type: 'string' } },
      required: ['city'],
      additionalProperties: false,
    });
    const plain = { $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object' };
    expect(toJsonSchema(plain)).toBe(plain);
  });
});

describe('provider options', () => {
  const options = { openai: { user: 'a', logprobs: true }, groq: { user: 'b' }, anthropic: { ignored: true } };

  it('reads the wire-format key, then the instance key, which wins', () => {
    expect(collectProviderOptions(options, { wireFormat: 'openai', provider: 'groq' })).toEqual({ user: 'b', logprobs: true });
    expect(collectProviderOptions(options, { wireFormat: 'openai', provider: 'openai' })).toEqual({ user: 'a', logprobs: true });
    expect(providerOptionSources(options, { wireFormat: 'openai', provider: 'missing' })).toEqual([options.openai]);
    expect(collectProviderOptions(undefined, { wireFormat: 'openai', provider: 'openai' })).toEqual({});
  });

  it('appends arrays, merges objects one level and replaces anything else', () => {
    const body: Record<string, unknown> = { tools: [{ a: 1 }], generationConfig: { temperature: 0.2 }, model: 'x' };
    mergeProviderOptions(body, { tools: [{ b: 2 }], generationConfig: { thinkingConfig: { includeThoughts: true } }, model: 'y' });
    expect(body).toEqual({ tools: [{ a: 1 }, { b: 2 }], generationConfig: { temperature: 0.2, thinkingConfig: { includeThoughts: true } }, model: 'y' });
  });
});

describe('image data', () => {
  it('encodes bytes larger than one slice exactly like Buffer', () => {
    const bytes = Uint8Array.from({ length: 0x8000 * 2 + 17 }, (_, index) => (index * 31) % 256);
    expect(bytesToBase64(bytes)).toBe(Buffer.from(bytes).toString('base64'));
  });

  it('splits base64 data URLs, with parameters and in any case, and nothing else', () => {
    expect(parseBase64DataUrl('data:image/png;base64,iVBORw0KGgo=')).toEqual({ mediaType: 'image/png', data: 'iVBORw0KGgo=' });
    expect(parseBase64DataUrl('DATA:image/jpeg;name=a.jpg;BASE64,/9j/4AAQ')).toEqual({ mediaType: 'image/jpeg', data: '/9j/4AAQ' });
    expect(parseBase64DataUrl('data:;base64,AAAA')).toEqual({ data: 'AAAA' });
    expect(parseBase64DataUrl('data:image/svg+xml,<svg/>')).toBeUndefined();
    expect(parseBase64DataUrl('iVBORw0KGgo=')).toBeUndefined();
  });

  it('needs a media type for bytes and bare base64, and names the message', () => {
    expect(toInlineImage({ type: 'image', image: 'data:;base64,AAAA', mediaType: 'image/gif' }, 'p', 0)).toEqual({ mediaType: 'image/gif', data: 'AAAA' });
    const bytes = caught(() => toInlineImage({ type: 'image', image: new Uint8Array([1]) }, 'p', 2));
    expect(bytes.name).toBe('InvalidRequestError');
    expect(bytes.message).toContain('messages[2]');
    expect(caught(() => toInlineImage({ type: 'image', image: 'AAAA' }, 'p', 3)).message).toMatch(/messages\[3\].*mediaType/);
  });

  it('keeps http(s) and data URLs as URLs and turns the rest into data URLs', () => {
    expect(toImageUrl({ type: 'image', image: 'https://example.com/a.png' }, 'p', 0)).toBe('https://example.com/a.png');
    expect(toImageUrl({ type: 'image', image: 'data:image/svg+xml,<svg/>' }, 'p', 0)).toBe('data:image/svg+xml,<svg/>');
    expect(toImageUrl({ type: 'image', image: new Uint8Array([137, 80, 78, 71]), mediaType: 'image/png' }, 'p', 0)).toBe('data:image/png;base64,iVBORw==');
  });
});

describe('tool calls', () => {
  it('parses arguments: empty is {}, text that is not JSON stays raw', () => {
    expect(parseToolArguments('  ')).toEqual({});
    expect(parseToolArguments('{"city":"Paris"}')).toEqual({ city: 'Paris' });
    expect(parseToolArguments('{"city":"Pa')).toBe('{"city":"Pa');
    expect(stringifyToolArguments({ city: 'Paris' })).toBe('{"city":"Paris"}');
    expect(stringifyToolArguments('{"city":"Pa')).toBe('{"city":"Pa');
    expect(stringifyToolArguments(undefined)).toBe('{}');
  });

  it('makes distinct call_ ids', () => {
    const first = generateToolCallId();
    expect(first).toMatch(/^call_[0-9a-f]{24}$/);
    expect(generateToolCallId()).not.toBe(first);
  });

  it('writes the function format and sends only a named tool', () => {
    const tools = [
      { name: 'weather', description: 'Weather', parameters: z.object({ city: z.string() }) },
      { name: 'time', parameters: { type: 'object' } },
    ];
    expect(toFunctionTool(tools[0]!)).toEqual({
      type: 'function',
      function: { name: 'weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false } },
    });
    expect(selectNamedTool(tools, 'time', 'p')).toEqual([tools[1]]);
    expect(caught(() => selectNamedTool(tools, 'nope', 'p')).name).toBe('InvalidRequestError');
  });
});

describe('usage estimates', () => {
  it('counts text, reasoning, tool results and tool calls at four characters a token, flagged', () => {
    const messages = [
      { role: 'user' as const, content: 'why is the sky blue?' },
      { role: 'assistant' as const, content: [{ type: 'tool-call' as const, toolCallId: 'c1', toolName: 'look', arguments: { q: 'sky' } }] },
      { role: 'tool' as const, toolCallId: 'c1', content: 'Rayleigh' },
    ];
    // 20 + ('look' 4 + '{"q":"sky"}' 11) + 8 = 43 characters → 11 tokens.
    expect(estimatePromptTokens(messages)).toBe(11);
    expect(estimateUsage(messages, 9)).toEqual({ inputTokens: 11, outputTokens: 3, totalTokens: 14, estimated: true });
  });
});

describe('adapter settings', () => {
  it('checks id, baseUrl and apiKey with ConfigurationError naming the field', () => {
    expect(checkProviderId('createX', 'my-vllm.2')).toBe('my-vllm.2');
    expect(caught(() => checkProviderId('createX', 'a/b')).message).toMatch(/^createX: id must be/);
    expect(normalizeBaseUrl('createX', 'http://localhost:8000/v1//', 'x')).toBe('http://localhost:8000/v1');
    expect(caught(() => normalizeBaseUrl('createX', 'ftp://host', 'x')).message).toContain('http or https');
    expect(caught(() => checkApiKey('createX', '', 'x')).name).toBe('ConfigurationError');
  });

  it('is enforced by every factory, Cohere and Ollama included', () => {
    for (const create of [
      () => createCohere({ id: 'a/b' }),
      () => createOllama({ id: 'a:b' }),
      () => createOllama({ baseUrl: 'localhost:11434' }),
      () => createCohere({ baseUrl: 'not a url' }),
      () => createAnthropic({ id: '-x' }),
      () => createGoogle({ baseUrl: 'ftp://host' }),
      () => createOpenAI({ baseUrl: 'nope' }),
    ]) {
      expect(caught(create).name).toBe('ConfigurationError');
    }
  });
});

describe('fixes replayed through the adapters', () => {
  let server: ReplayServer;
  beforeAll(async () => {
    server = await startReplayServer();
  });
  afterAll(async () => {
    await server.close();
  });
  const context = { fetch: globalThis.fetch };

  it('Cohere keeps tool-call arguments that are not JSON as the raw string instead of failing the answer', async () => {
    // The recorded tool-call answer with the first call's arguments cut off, as max_tokens would leave them.
    const recorded = JSON.parse(readFixture('cohere/cohere-tool-call.json'));
    recorded.message.tool_calls[0].function.arguments = '{"location":"San Fra';
    server.enqueue({ body: JSON.stringify(recorded) });
    const result = await createCohere({ apiKey: 'co-test-key-0123456789', baseUrl: `${server.url}/v2` }).chat({ model: 'command-a-03-2025', messages: [{ role: 'user', content: 'Weather?' }] }, context);
    expect(result.toolCalls[0]).toEqual({ id: 'weather_dqgshstja6p9', name: 'weather', arguments: '{"location":"San Fra', rawArguments: '{"location":"San Fra' });
    expect(result.toolCalls[1]!.arguments).toEqual({ city: 'San Francisco' });
  });

  it('the OpenAI Responses stream throws the typed error of a JSON answer to a stream request', async () => {
    server.enqueue({ body: readFixture('openai/openai-error.1.json') });
    const provider = createOpenAI({ apiKey: 'sk-test-0123456789', baseUrl: server.url, api: 'responses' });
    const error = await collectStream(provider.stream({ model: 'gpt-5.2', messages: [{ role: 'user', content: 'Hi' }] }, context)).catch((thrown: unknown) => thrown);
    expect(LLMError.isInstance(error)).toBe(true);
    expect((error as LLMError).name).not.toBe('InvalidResponseError');
    expect((error as LLMError).message).toContain('exceeded your current quota');
  });

  it('Ollama drops the $schema marker of a zod output schema', async () => {
    server.enqueue({ body: JSON.stringify({ model: 'llama3.2', message: { role: 'assistant', content: '{"answer":"blue"}' }, done: true, done_reason: 'stop', prompt_eval_count: 5, eval_count: 4 }) });
    await createOllama({ baseUrl: server.url }).chat(
      { model: 'llama3.2', messages: [{ role: 'user', content: 'Sky?' }], responseFormat: { type: 'json-schema', schema: z.object({ answer: z.string() }) } },
      context,
    );
    expect(server.requests.at(-1)!.body.format).toEqual({ type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'], additionalProperties: false });
  });
});
