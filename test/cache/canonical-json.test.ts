import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { CacheKeyInput } from '../../src/cache/cache-key';
import { cacheKeyMaterial } from '../../src/cache/compute-cache-key';
import { canonicalJson } from '../../src/cache/canonical-json';
import { InvalidRequestError } from '../../src/errors/invalid-request-error';
import { referenceCacheKeyMaterial, referenceCanonicalJson } from './reference-canonical-json';

/** The outcome of a call: its text, or the class and message of what it threw. */
function outcome(run: () => string): string {
  try {
    return `ok ${run()}`;
  } catch (error) {
    return `${(error as Error).constructor.name}: ${(error as Error).message}`;
  }
}

function expectSameAsReference(value: unknown): void {
  expect(outcome(() => canonicalJson(value))).toBe(outcome(() => referenceCanonicalJson(value)));
}

const otherLibrarySchema = {
  '~standard': {
    version: 1,
    vendor: 'other',
    validate: () => ({ value: {} }),
    jsonSchema: {
      input: () => ({ type: 'object' }),
      output: (options: { target: string }) => ({ $schema: options.target, type: 'object', properties: { city: { type: 'string' } } }),
    },
  },
};

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
  get length() {
    return Math.hypot(this.x, this.y);
  }
}

const strings = [
  '',
  'plain ascii',
  'quote " and backslash \\ and slash /',
  'controls \n\r\t\b\f \u0000 \u0001 \u001f \u007f',
  'unicode é ü ß ÿ \u00a0 \u2028 \u2029 中文 ﻿',
  'pair 😀 𝄞',
  'lone high \ud800 end',
  'lone low \udc00 end',
  'reversed pair \udc00\ud800',
  'x'.repeat(100_000),
  `${'y'.repeat(50_000)}\n${'z'.repeat(50_000)}`,
  `${'é'.repeat(10_000)}"`,
];

const numbers = [0, -0, 1, -1, 0.1, 0.1 + 0.2, 1e21, 1e-7, 123456789012345680000, 5e-324, Number.MAX_VALUE, -Number.MAX_SAFE_INTEGER, 2 ** 53];

const sparse = [1, , 3]; // eslint-disable-line no-sparse-arrays
const shared = { same: 'object' };
const numericKeys: Record<string, number> = {};
for (const key of ['b', '10', '9', '0', '01', '-1', '1.5', '4294967294', '4294967295', '4294967296', 'a', '1e3', ' 1', '00']) numericKeys[key] = key.length;
const withGetter = Object.defineProperty({ b: 1 }, 'a', { enumerable: true, get: () => 'from getter' });
const withHidden = Object.defineProperty({ b: 1 }, 'a', { enumerable: false, value: 'hidden' });
const nullPrototype = Object.assign(Object.create(null) as Record<string, unknown>, { z: 1, a: [1, 2] });
const ownToJson = { a: 1, toJSON: () => 'ignored' };

function nested(depth: number, leaf: unknown): unknown {
  let value = leaf;
  for (let level = 0; level < depth; level++) value = level % 2 === 0 ? { [`level${level}`]: value, other: level } : [level, value];
  return value;
}

const values: unknown[] = [
  undefined,
  null,
  true,
  false,
  () => 1,
  Symbol('s'),
  12n,
  -12345678901234567890n,
  ...strings,
  ...numbers,
  strings,
  numbers,
  Object.fromEntries(strings.map((text, index) => [text.slice(0, 40), index])),
  { b: 1, a: { d: undefined, c: [3, undefined, 1] } },
  [undefined, () => 1, Symbol('s'), null, [[], [[{}]]]],
  sparse,
  new Array(3),
  { fn: () => 1, sym: Symbol('s'), undef: undefined, keep: 0 },
  { bytes: new Uint8Array([1, 2, 255]), empty: new Uint8Array(0), buffer: Buffer.from('hello'), big: new Uint8Array(70_000).fill(7) },
  new Uint8Array([0, 1]),
  { floats: new Float64Array([1.5, -0]), ints: new Int16Array([1, -2]) },
  { date: new Date(0), map: new Map([[1, 2]]), set: new Set([1]), regexp: /x/g, error: new Error('e') },
  { point: new Point(3, 4) },
  { boxed: [new String('ab'), new Number(3), new Boolean(false)] },
  numericKeys,
  Object.fromEntries(Array.from({ length: 40 }, (_, index) => [`${String.fromCharCode(122 - (index % 26))}${index}${index % 3 === 0 ? '😀' : '\uff5e'}`, index])),
  { ['é']: 1, z: 2, ['😀']: 3, ['\uff5e']: 4, A: 5, a: 6, ['']: 7, ['"quoted\\key"']: 8, ['line\nbreak']: 9 },
  JSON.parse('{"__proto__":{"polluted":true},"b":2}'),
  JSON.parse('{"__proto__":5,"a":1}'),
  { constructor: 1, hasOwnProperty: 2, toString: 3, valueOf: 4 },
  withGetter,
  withHidden,
  nullPrototype,
  ownToJson,
  { a: shared, b: [shared, shared] },
  { schema: otherLibrarySchema, zod: z.object({ a: z.number(), b: z.array(z.string()).optional() }) },
  { callable: Object.assign(() => true, otherLibrarySchema) },
  nested(10, 'leaf'),
  nested(40, { deep: [1, 2] }),
  nested(200, 'very deep'),
  // Requests as they reach the cache.
  {
    messages: [
      { role: 'system', content: 'You are a concise assistant.' },
      { role: 'user', content: [{ type: 'text', text: 'hi\n' }, { type: 'image', image: new Uint8Array([9, 8, 7]), mediaType: 'image/png' }] },
      { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'add', arguments: { b: 2, a: 1 } }] },
    ],
    tools: [{ name: 'add', description: 'adds', parameters: { type: 'object', properties: { b: { type: 'number' }, a: { type: 'number' } } } }],
    temperature: 0.2,
    stop: ['\n\n', '</s>'],
    providerOptions: { openai: { logprobs: true, top_logprobs: 3 } },
  },
];

// Small deterministic generator of JSON-like values, to cover shapes nobody thought to list.
function randomValues(count: number, seed: number): unknown[] {
  let state = seed;
  const next = () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
  const pick = <T,>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const keys = ['a', 'b', 'B', '0', '7', '12', 'é', 'role', 'content', '__proto__', '😀', 'x y', ''];
  const leaves = [...strings.filter((text) => text.length < 1000), ...numbers, null, true, false, undefined, 1n, () => 0];
  const make = (depth: number): unknown => {
    const roll = next();
    if (depth > 5 || roll < 0.4) return pick(leaves);
    if (roll < 0.7) return Array.from({ length: Math.floor(next() * 5) }, () => make(depth + 1));
    const object: Record<string, unknown> = {};
    for (let index = Math.floor(next() * 6); index > 0; index--) Object.defineProperty(object, pick(keys), { value: make(depth + 1), enumerable: true, configurable: true, writable: true });
    return object;
  };
  return Array.from({ length: count }, () => make(0));
}

describe('canonical JSON, written directly', () => {
  it('is byte for byte the text the normalise-then-stringify version gave', () => {
    for (const value of values) expectSameAsReference(value);
    for (const value of values) expectSameAsReference({ wrapped: value, list: [value] });
  });

  it('matches it on generated values too', () => {
    for (const value of randomValues(1000, 7)) expectSameAsReference(value);
  });

  it('orders array-index keys numerically first, as an object built from sorted keys did', () => {
    expect(canonicalJson({ b: 1, 10: 2, 9: 3, '01': 4, a: 5 })).toBe('{"9":3,"10":2,"01":4,"a":5,"b":1}');
  });

  it('rejects non-finite numbers and cycles with the same path in the message', () => {
    const cycle: Record<string, unknown> = { a: [1, 2] };
    (cycle.a as unknown[]).push({ back: cycle });
    const deepCycle: Record<string, unknown> = {};
    const deepValue = nested(100, deepCycle) as Record<string, unknown>;
    deepCycle.again = deepValue;
    const selfArray: unknown[] = [1];
    selfArray.push(selfArray);
    const invalid = [
      Number.NaN,
      Number.POSITIVE_INFINITY,
      { a: { b: [1, 2, Number.NEGATIVE_INFINITY] } },
      { list: [{ fine: 1 }, { 'odd key': Number.NaN }] },
      { schema: { '~standard': { jsonSchema: { output: () => ({ bad: Number.NaN }) } } } },
      cycle,
      deepValue,
      selfArray,
      nested(50, Number.NaN),
    ];
    for (const value of invalid) {
      expectSameAsReference(value);
      expect(() => canonicalJson(value)).toThrow(InvalidRequestError);
    }
    expect(() => canonicalJson({ a: { b: [1, 2, Number.NaN] } })).toThrow('value.a.b[2] must be a finite number to be cached');
    expect(() => canonicalJson(cycle)).toThrow('value.a[2].back is circular and cannot be part of a cache key');
  });

  it('lets other errors through unchanged', () => {
    const failure = new Error('getter failed');
    const throwing = Object.defineProperty({}, 'a', { enumerable: true, get: () => { throw failure; } });
    expect(() => canonicalJson({ list: [throwing] })).toThrow(failure);
  });
});

describe('cache key material, written directly', () => {
  const messages = [{ role: 'user' as const, content: 'What is 2 + 2?\n' }];
  const inputs: CacheKeyInput[] = [
    { operation: 'chat', model: 'openai:gpt-4o-mini', userId: 'u1', request: { messages, temperature: 0 } },
    { operation: 'stream', model: ['openai:gpt-4o', 'anthropic:claude'], request: { messages, topP: 0.9, stop: ['\n'], seed: 1 } },
    { operation: 'chat', model: undefined, userId: 'u"1', scope: 'global', request: { messages } },
    { operation: 'chat', model: 'auto', userId: 'u1', scope: 'user', request: {} },
    { operation: 'embed', model: 'openai:text-embedding-3-small', request: { input: ['a', 'b'], dimensions: 256 } },
    { operation: 'embed', model: 'openai:text-embedding-3-small', request: { input: 'é 😀' } },
    {
      operation: 'chat', model: 'auto', request: {
        messages, tools: [{ name: 'add', parameters: z.object({ a: z.number() }) }], toolChoice: 'required',
        responseFormat: { type: 'json' }, maxTokens: 10, providerOptions: { openai: { b: 2, a: 1 } },
      },
    },
    // Not what the types allow, but what a JavaScript caller can pass.
    { operation: 'chat', model: 'auto', userId: (() => 'x') as unknown as string, request: { messages } },
    { operation: 'chat', model: (() => 'x') as unknown as string, request: { messages, signal: new AbortController().signal } as never },
    { operation: 'chat', model: 'auto', request: { messages: [{ role: 'user', content: 'x', extra: Number.NaN }] as never } },
    { operation: 'chat', model: 'auto', request: { temperature: Number.POSITIVE_INFINITY } },
  ];

  it('is byte for byte the text the earlier version hashed, so stored keys stay valid', () => {
    for (const input of inputs) {
      expect(outcome(() => cacheKeyMaterial(input))).toBe(outcome(() => referenceCacheKeyMaterial(input)));
    }
    expect(() => cacheKeyMaterial(inputs.at(-2)!)).toThrow('value.fields.messages[0].extra must be a finite number to be cached');
  });
});
