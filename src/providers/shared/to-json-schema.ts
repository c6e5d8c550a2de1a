import { toJSONSchema, type ZodType } from 'zod';
import type { JsonSchema, ZodLikeSchema } from '../../spec/tool';

/** True for zod 4 schemas, which carry their definition under `_zod`. */
export function isZodSchema(schema: unknown): schema is ZodLikeSchema {
  return typeof schema === 'object' && schema !== null && '_zod' in schema;
}

/**
 * Tool parameters and structured-output schemas as plain JSON Schema. zod schemas are converted with zod's
 * own `toJSONSchema`; the `$schema` marker it adds is dropped, because strict validators (OpenAI strict
 * mode, Anthropic) reject unknown keys and local models would only read it as prompt noise. Plain JSON
 * Schema passes through untouched.
 */
export function toJsonSchema(schema: JsonSchema | ZodLikeSchema): JsonSchema {
  if (!isZodSchema(schema)) return schema;
  const converted = toJSONSchema(schema as unknown as ZodType) as JsonSchema;
  const { $schema: _ignored, ...rest } = converted;
  return rest;
}
