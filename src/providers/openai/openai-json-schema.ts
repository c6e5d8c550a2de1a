import { toJSONSchema, type ZodType } from 'zod';
import type { JsonSchema, ZodLikeSchema } from '../../spec/tool';

/** True for zod 4 schemas, which carry their definition under `_zod`. */
export function isZodSchema(schema: unknown): schema is ZodLikeSchema {
  return typeof schema === 'object' && schema !== null && '_zod' in schema;
}

/**
 * Tool parameters and structured-output schemas as plain JSON Schema. zod schemas are converted with zod's
 * own `toJSONSchema`; the `$schema` marker is dropped because strict OpenAI schemas reject unknown keys.
 */
export function toOpenAIJsonSchema(schema: JsonSchema | ZodLikeSchema): JsonSchema {
  if (!isZodSchema(schema)) return schema;
  const converted = toJSONSchema(schema as unknown as ZodType) as JsonSchema;
  const { $schema: _ignored, ...rest } = converted;
  return rest;
}
