import { z } from 'zod';
import { InvalidRequestError } from '../errors/invalid-request-error';
import { systemOwnerId } from '../storage/system-owner';

// Identifiers end up as indexed storage columns: at most 191 characters, no NUL (see storage-records.ts).
const identifier = z
  .string()
  .min(1, 'must not be empty')
  .max(191, 'must be at most 191 characters')
  .refine((value) => !value.includes('\u0000'), 'must not contain a NUL character');

/** A user id; the system owner id is reserved for the host's managed keys and built-in definitions. */
export const userIdSchema = identifier.refine((value) => value !== systemOwnerId, `is reserved for the host ('${systemOwnerId}')`);

/** A provider id as used in model references (`openai`, `groq`, `my-vllm`). */
export const providerIdSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "must be letters, digits, '.', '_' or '-'");

/**
 * An API key. The messages never repeat the value: zod's own messages do not include the input, and
 * these checks only describe what is wrong.
 */
export const apiKeySchema = z
  .string({ error: 'must be a string' })
  .min(1, 'must not be empty')
  .max(4096, 'must be at most 4096 characters')
  // Keys are printable ASCII tokens; whitespace or control characters mean a copy-paste accident.
  .regex(/^[\x21-\x7e]+$/, 'must be printable characters without spaces or line breaks');

export const labelSchema = z.string().max(200, 'must be at most 200 characters').optional();

/** Instance and definition ids double as provider ids in model references. */
export const recordIdSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(64, 'must be at most 64 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "must be letters, digits, '.', '_' or '-'");

export const baseUrlSchema = z
  .string()
  .max(2048, 'must be at most 2048 characters')
  .refine((value) => {
    try {
      const url = new URL(value);
      return url.protocol === 'http:' || url.protocol === 'https:';
    } catch {
      return false;
    }
  }, 'must be an http or https URL')
  .optional();

/** The wire standards an instance or definition can speak. */
export const wireStandards = ['openai', 'anthropic', 'google', 'cohere', 'ollama', 'openai-compatible'] as const;

/** One of the supported wire standards. */
export type WireStandard = (typeof wireStandards)[number];

export const standardSchema = z.enum(wireStandards, { error: `must be one of ${wireStandards.join(', ')}` });

/** Validates `input` with `schema`; a failure becomes an `InvalidRequestError` naming the field (never its value). */
export function parseInput<T>(schema: z.ZodType<T>, input: unknown, what: string): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.length > 0 ? issue.path.map(String).join('.') : 'input';
  throw new InvalidRequestError(`${what}: ${field} ${issue.message}`);
}
