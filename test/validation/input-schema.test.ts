import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createLLMManager } from '../../src/index';
import { createMockProvider } from '../../src/testing/index';
import { toJsonSchema } from '../../src/providers/shared/to-json-schema';
import { canonicalJson } from '../../src/cache/canonical-json';
import {
  array,
  describeInputPath,
  discriminated,
  number,
  object,
  oneOf,
  optional,
  refine,
  string,
  union,
  validateInput,
} from '../../src/validation/input-schema';

const described = (problems: ReturnType<typeof validateInput>) => problems.map((problem) => `${describeInputPath(problem.path)}: ${problem.message}`);

describe('input schemas', () => {
  const part = discriminated('type', { text: object({ text: string() }), image: object({ url: string({ min: 1 }) }) });
  const schema = object({
    name: string({ min: 1, max: 5, pattern: [/^[a-z]+$/, 'must be lower-case letters'] }),
    count: optional(number({ integer: true, min: 1 })),
    parts: array(part, { min: 1, minMessage: 'must contain at least one part' }),
    content: optional(union([string(), array(part, { min: 1 })], 'must be a string or parts')),
    even: optional(refine(number(), (value) => value % 2 === 0, 'must be even')),
    mode: optional(oneOf(['a', 'b'])),
  });

  it('accepts a valid value without copying it, keeping unknown fields', () => {
    const value = { name: 'abc', parts: [{ type: 'text', text: 'x' }], extra: { kept: true } };
    expect(validateInput(schema, value)).toEqual([]);
    expect(value.extra).toEqual({ kept: true });
  });

  it('names every bad field by its path, in order', () => {
    const problems = validateInput(schema, {
      name: 'ABC',
      count: 1.5,
      parts: [{ type: 'text', text: 'x' }, { type: 'video' }, { type: 'image', url: '' }],
      even: 3,
      mode: 'c',
    });
    expect(described(problems)).toEqual([
      'name: must be lower-case letters',
      'count: must be an integer',
      'parts[1].type: must be one of "text", "image"',
      'parts[2].url: must not be empty',
      'even: must be even',
      'mode: must be one of "a", "b"',
    ]);
  });

  it('reports the kind of value expected, and bounds only once the kind is right', () => {
    expect(described(validateInput(schema, 'nope'))).toEqual([': must be an object']);
    expect(described(validateInput(schema, { name: 7, parts: [] }))).toEqual(['name: must be a string', 'parts: must contain at least one part']);
    expect(described(validateInput(schema, { name: 'abcdef', parts: {} }))).toEqual(['name: must be at most 5 characters', 'parts: must be an array']);
  });

  it('explains a failed union by the alternative that took the kind of value', () => {
    const base = { name: 'a', parts: [{ type: 'text', text: '' }] };
    expect(described(validateInput(schema, { ...base, content: [] }))).toEqual(['content: must contain at least 1 item']);
    expect(described(validateInput(schema, { ...base, content: [{ type: 'image', url: 3 }] }))).toEqual(['content[0].url: must be a string']);
    expect(described(validateInput(schema, { ...base, content: 42 }))).toEqual(['content: must be a string or parts']);
  });

  it('leaves the shared path stack as it found it', () => {
    const path: (string | number)[] = ['root'];
    const problems: ReturnType<typeof validateInput> = [];
    schema({ name: 1, parts: [{ type: 'x' }] }, path, problems);
    expect(path).toEqual(['root']);
    expect(problems.map((problem) => problem.path)).toEqual([['root', 'name'], ['root', 'parts', 0, 'type']]);
  });
});

describe('Standard JSON Schema objects as tool parameters', () => {
  // A schema object of some other library: only the Standard JSON Schema surface, no zod inside.
  const otherLibrary = {
    '~standard': {
      version: 1,
      vendor: 'other',
      validate: () => ({ value: {} }),
      jsonSchema: {
        input: () => ({ type: 'object', properties: { city: { type: 'string' } } }),
        output: (options: { target: string }) => ({ $schema: options.target, type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }),
      },
    },
  };

  it('converts zod and other libraries through their own converters, without $schema', () => {
    expect(toJsonSchema(otherLibrary)).toEqual({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'] });
    expect(toJsonSchema(z.object({ city: z.string() }))).toEqual({
      type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false,
    });
  });

  it('hashes a callable schema (as ArkType makes them) by its JSON Schema, not as a function', () => {
    const callable = Object.assign(() => true, otherLibrary);
    expect(canonicalJson({ schema: callable })).toBe(canonicalJson({ schema: otherLibrary }));
    expect(canonicalJson({ schema: callable })).toContain('"city"');
  });

  it('accepts them in requests and rejects a zod schema that cannot convert itself', async () => {
    const llm = createLLMManager({ providers: [createMockProvider()] });
    const messages = [{ role: 'user' as const, content: 'weather?' }];
    const answer = await llm.chat({ messages, tools: [{ name: 'weather', parameters: otherLibrary }] });
    expect(answer.text.length).toBeGreaterThan(0);
    // zod 4.0 and 4.1 schemas: `_zod` and `type: "object"`, no Standard JSON Schema converter.
    const oldZod = { _zod: { def: {} }, type: 'object' };
    await expect(llm.chat({ messages, tools: [{ name: 'weather', parameters: oldZod as never }] })).rejects.toThrow(
      /tools\[0\]\.parameters: is a zod schema without Standard JSON Schema support/,
    );
    await llm.close();
  });
});
