import { InvalidRequestError } from '../errors/invalid-request-error';
import { systemOwnerId } from '../storage/system-owner';
import { oneOf, optional, refine, string, validateInput, type InputSchema } from '../validation/input-schema';

// Identifiers end up as indexed storage columns: at most 191 characters, no NUL (see storage-records.ts).
const identifier = refine(string({ min: 1, max: 191 }), (value) => !value.includes('\u0000'), 'must not contain a NUL character');

/** A user id; the system owner id is reserved for the host's managed keys and built-in definitions. */
export const userIdSchema = refine(identifier, (value) => value !== systemOwnerId, `is reserved for the host ('${systemOwnerId}')`);

const idPattern: [RegExp, string] = [/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "must be letters, digits, '.', '_' or '-'"];

/** A provider id as used in model references (`openai`, `groq`, `my-vllm`). */
export const providerIdSchema = string({ min: 1, max: 100, pattern: idPattern });

/** An API key. The messages never repeat the value: these checks only describe what is wrong. */
export const apiKeySchema = string({
  min: 1,
  max: 4096,
  // Keys are printable ASCII tokens; whitespace or control characters mean a copy-paste accident.
  pattern: [/^[\x21-\x7e]+$/, 'must be printable characters without spaces or line breaks'],
});

export const labelSchema = optional(string({ max: 200 }));

/** Instance and definition ids double as provider ids in model references. */
export const recordIdSchema = string({ min: 1, max: 64, pattern: idPattern });

export const baseUrlSchema = optional(
  refine(
    string({ max: 2048 }),
    (value) => {
      try {
        const url = new URL(value);
        return url.protocol === 'http:' || url.protocol === 'https:';
      } catch {
        return false;
      }
    },
    'must be an http or https URL',
  ),
);

/** The wire standards an instance or definition can speak. */
export const wireStandards = ['openai', 'anthropic', 'google', 'cohere', 'ollama', 'openai-compatible'] as const;

/** One of the supported wire standards. */
export type WireStandard = (typeof wireStandards)[number];

export const standardSchema = oneOf(wireStandards, `must be one of ${wireStandards.join(', ')}`);

/** Validates `input` with `schema`; a failure becomes an `InvalidRequestError` naming the field (never its value). */
export function parseInput<T>(schema: InputSchema<T>, input: unknown, what: string): T {
  const problem = validateInput(schema, input)[0];
  if (problem === undefined) return input as T;
  const field = problem.path.length > 0 ? problem.path.map(String).join('.') : 'input';
  throw new InvalidRequestError(`${what}: ${field} ${problem.message}`);
}
