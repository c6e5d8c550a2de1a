import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { InvalidRequestError } from '../../src/errors/invalid-request-error';
import { createCacheKey } from '../../src/cache/cache-key';
import { cacheKeyMaterial, syncSha256Of } from '../../src/cache/compute-cache-key';
import * as nodeCrypto from 'node:crypto';
import { canonicalJson } from '../../src/cache/canonical-json';

const messages = [{ role: 'user' as const, content: 'What is 2 + 2?' }];

describe('cache keys', () => {
  it('canonical JSON sorts keys, drops undefined, keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: undefined, c: [3, undefined, 1] } })).toBe('{"a":{"c":[3,null,1]},"b":1}');
    expect(canonicalJson({ bytes: new Uint8Array([1, 2, 255]) })).toBe('{"bytes":{"$bytes":"AQL/"}}');
    expect(() => canonicalJson({ value: Number.NaN })).toThrow(InvalidRequestError);
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(() => canonicalJson(circular)).toThrow(/circular/);
  });

  it('is stable across key order and undefined fields', async () => {
    const first = await createCacheKey({
      operation: 'chat',
      model: 'openai:gpt-4o-mini',
      userId: 'u1',
      request: { messages, temperature: 0, providerOptions: { openai: { a: 1, b: 2 } }, topP: undefined },
    });
    const second = await createCacheKey({
      userId: 'u1',
      request: { providerOptions: { openai: { b: 2, a: 1 } }, temperature: 0, messages, seed: undefined },
      model: 'openai:gpt-4o-mini',
      operation: 'chat',
    });
    expect(first).toBe(second);
    expect(first).toMatch(/^llm:v1:[0-9a-f]{64}$/);
  });

  it('changes with every meaningful field and ignores the rest', async () => {
    const base = { operation: 'chat' as const, model: 'openai:gpt-4o-mini', userId: 'u1', request: { messages, temperature: 0 } };
    const key = await createCacheKey(base);
    const variants = [
      { ...base, model: 'openai:gpt-4o' },
      { ...base, operation: 'stream' as const },
      { ...base, request: { ...base.request, temperature: 0.5 } },
      { ...base, request: { ...base.request, maxTokens: 10 } },
      { ...base, request: { ...base.request, stop: ['\n'] } },
      { ...base, request: { ...base.request, seed: 1 } },
      { ...base, request: { ...base.request, topP: 0.9 } },
      { ...base, request: { ...base.request, toolChoice: 'required' as const } },
      { ...base, request: { ...base.request, responseFormat: { type: 'json' as const } } },
      { ...base, request: { ...base.request, providerOptions: { openai: { logprobs: true } } } },
      { ...base, request: { ...base.request, tools: [{ name: 'add', parameters: { type: 'object' } }] } },
      { ...base, request: { ...base.request, messages: [{ role: 'user' as const, content: 'What is 2 + 3?' }] } },
    ];
    const keys = await Promise.all(variants.map((variant) => createCacheKey(variant)));
    expect(new Set([key, ...keys]).size).toBe(variants.length + 1);
    const ignored = { ...base, request: { ...base.request, signal: new AbortController().signal, metadata: { a: 'b' }, feature: 'x' } };
    expect(await createCacheKey(ignored as typeof base)).toBe(key);
  });

  it('scopes keys per user unless global; anonymous is its own scope', async () => {
    const request = { messages };
    const userA = await createCacheKey({ operation: 'chat', model: 'auto', userId: 'a', request });
    const userB = await createCacheKey({ operation: 'chat', model: 'auto', userId: 'b', request });
    const anonymous = await createCacheKey({ operation: 'chat', model: 'auto', request });
    const globalA = await createCacheKey({ operation: 'chat', model: 'auto', userId: 'a', request, scope: 'global' });
    const globalB = await createCacheKey({ operation: 'chat', model: 'auto', userId: 'b', request, scope: 'global' });
    expect(new Set([userA, userB, anonymous, globalA]).size).toBe(4);
    expect(globalA).toBe(globalB);
  });

  it('hashes zod schemas by their JSON Schema', async () => {
    const withZod = cacheKeyMaterial({
      operation: 'chat', model: 'auto', request: { messages, tools: [{ name: 'add', parameters: z.object({ a: z.number() }) }] },
    });
    expect(withZod).toContain('"properties":{"a":{"type":"number"}}');
  });
});

describe('cache key hashing', () => {
  it('is the same SHA-256 hex on the synchronous Node path as a WebCrypto digest of the material', async () => {
    const input = { operation: 'chat' as const, model: 'openai:gpt-4o-mini', userId: 'u1', request: { messages: [{ role: 'user' as const, content: 'x'.repeat(2048) }] } };
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(cacheKeyMaterial(input))));
    const hex = Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('');
    expect(typeof process.getBuiltinModule).toBe('function');
    expect(await createCacheKey(input)).toBe(`llm:v1:${hex}`);
  });

  it('uses the one-shot crypto.hash where there is one, else createHash, else none (WebCrypto)', async () => {
    const text = `é 😀 ${'x'.repeat(3000)}`;
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
    const hex = Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('');
    let used = '';
    const oneShot = syncSha256Of({ hash: (algorithm, data) => ((used = 'hash'), nodeCrypto.hash(algorithm, data)), createHash: nodeCrypto.createHash });
    expect(oneShot?.(text)).toBe(hex);
    expect(used).toBe('hash');
    expect(syncSha256Of({ createHash: nodeCrypto.createHash })?.(text)).toBe(hex);
    expect(syncSha256Of({})).toBeNull();
    expect(syncSha256Of(undefined)).toBeNull();
  });

  it('cacheKeyNow is a promise until the keying code has loaded, then the same key without one', async () => {
    vi.resetModules();
    const fresh = await import('../../src/cache/cache-key');
    const input = { operation: 'chat' as const, model: 'auto', userId: 'u1', request: { messages } };
    const first = fresh.cacheKeyNow(input);
    expect(first).toBeInstanceOf(Promise);
    const key = await first;
    const second = fresh.cacheKeyNow(input);
    expect(second).toBe(key);
    expect(key).toBe(await createCacheKey(input));
    expect(() => fresh.cacheKeyNow({ ...input, request: { temperature: Number.NaN } })).toThrow('value.fields.temperature must be a finite number to be cached');
  });

  it('loads its keying code on the first call; calls made meanwhile wait for it and agree', async () => {
    vi.resetModules();
    const fresh = await import('../../src/cache/cache-key');
    const input = { operation: 'chat' as const, model: 'auto', userId: 'u1', request: { messages } };
    const keys = await Promise.all(Array.from({ length: 5 }, () => fresh.createCacheKey(input)));
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toBe(await createCacheKey(input));
    await expect(fresh.createCacheKey({ ...input, request: { temperature: Number.NaN } })).rejects.toThrow('value.fields.temperature must be a finite number to be cached');
  });
});
