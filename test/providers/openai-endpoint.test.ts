import { describe, expect, it } from 'vitest';
import { createOpenAIEndpoint } from '../../src/providers/openai/openai-endpoint';
import { openAIQuirks } from '../../src/providers/openai/openai-quirks';

const endpoint = (authStyle: 'bearer' | 'api-key-header' = 'bearer') =>
  createOpenAIEndpoint({
    provider: 'openai', wireFormat: 'openai', quirks: openAIQuirks, baseUrl: 'https://api.example.test/v1/', apiKey: 'sk-managed-0000000000',
    authStyle, requiresApiKey: true, headers: { 'x-fixed': 'yes' },
  });

describe('OpenAI endpoint headers', () => {
  it('a user key and per-call headers never leak into the managed headers of later calls', () => {
    const openai = endpoint();
    const fetch = globalThis.fetch;
    expect(openai.headers({ fetch })).toEqual({ accept: 'application/json', 'x-fixed': 'yes', authorization: 'Bearer sk-managed-0000000000' });
    expect(openai.headers({ fetch, apiKey: 'sk-user-1111111111' }).authorization).toBe('Bearer sk-user-1111111111');
    expect(openai.headers({ fetch, headers: { 'x-call': '1', accept: 'text/event-stream' } })).toEqual({
      accept: 'text/event-stream', 'x-fixed': 'yes', authorization: 'Bearer sk-managed-0000000000', 'x-call': '1',
    });
    const managed = openai.headers({ fetch });
    expect(managed).toEqual({ accept: 'application/json', 'x-fixed': 'yes', authorization: 'Bearer sk-managed-0000000000' });
    // Shared between calls, so nobody may change it in place.
    expect(Object.isFrozen(managed)).toBe(true);
    expect(() => {
      (managed as Record<string, string>).authorization = 'Bearer stolen';
    }).toThrow(TypeError);
    expect(openai.headers({ fetch }).authorization).toBe('Bearer sk-managed-0000000000');
  });

  it('asks for an event stream whatever the fixed or per-call headers say, with one frozen object per kind of call', () => {
    const openai = createOpenAIEndpoint({
      provider: 'openai', wireFormat: 'openai', quirks: openAIQuirks, baseUrl: 'https://api.example.test/v1', apiKey: 'sk-managed-0000000000',
      authStyle: 'bearer', requiresApiKey: true, headers: { accept: 'application/x-fixed' },
    });
    const fetch = globalThis.fetch;
    const stream = openai.headers({ fetch }, 'json-for-event-stream');
    expect(stream).toEqual({ 'content-type': 'application/json', accept: 'text/event-stream', authorization: 'Bearer sk-managed-0000000000' });
    expect(openai.headers({ fetch }, 'json-for-event-stream')).toBe(stream);
    expect(openai.headers({ fetch }, 'json')).toEqual({ 'content-type': 'application/json', accept: 'application/x-fixed', authorization: 'Bearer sk-managed-0000000000' });
    expect(openai.headers({ fetch, headers: { accept: 'application/json' } }, 'json-for-event-stream').accept).toBe('text/event-stream');
    expect(openai.headers({ fetch, apiKey: 'sk-user-1111111111' }, 'json-for-event-stream')).toEqual({
      'content-type': 'application/json', accept: 'text/event-stream', authorization: 'Bearer sk-user-1111111111',
    });
  });

  it('gives the same URL string for the same path, without a doubled slash', () => {
    const openai = endpoint();
    const url = openai.url('/chat/completions');
    expect(url).toBe('https://api.example.test/v1/chat/completions');
    expect(openai.url('/chat/completions')).toBe(url);
    expect(openai.url('/embeddings')).toBe('https://api.example.test/v1/embeddings');
  });

  it('puts the key where the server wants it', () => {
    const azureStyle = endpoint('api-key-header');
    expect(azureStyle.headers({ fetch: globalThis.fetch })).toEqual({ accept: 'application/json', 'x-fixed': 'yes', 'api-key': 'sk-managed-0000000000' });
    expect(azureStyle.headers({ fetch: globalThis.fetch, apiKey: 'sk-user-1111111111' })['api-key']).toBe('sk-user-1111111111');
  });
});
