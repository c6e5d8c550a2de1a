import type { JsonSchema, StandardJsonSchemaLike } from '../../spec/tool';

/**
 * True for schema objects of validation libraries that implement Standard JSON Schema (zod 4.2 or later,
 * ArkType, Valibot through its converter): they carry a `~standard.jsonSchema` converter.
 */
export function isStandardJsonSchema(schema: unknown): schema is StandardJsonSchemaLike {
  if (typeof schema !== 'object' && typeof schema !== 'function') return false;
  const standard = (schema as { '~standard'?: { jsonSchema?: { output?: unknown } } } | null)?.['~standard'];
  return typeof standard?.jsonSchema?.output === 'function';
}

/**
 * Tool parameters and structured-output schemas as plain JSON Schema. Standard JSON Schema objects are
 * converted by their own library (the output side, so zod objects say `additionalProperties: false`, as
 * strict modes require); the `$schema` marker is dropped, because strict validators (OpenAI strict mode,
 * Anthropic) reject unknown keys and local models would only read it as prompt noise. Plain JSON Schema
 * passes through untouched.
 */
export function toJsonSchema(schema: JsonSchema | StandardJsonSchemaLike): JsonSchema {
  if (!isStandardJsonSchema(schema)) return schema as JsonSchema;
  const { $schema: _ignored, ...rest } = schema['~standard'].jsonSchema.output({ target: 'draft-2020-12' });
  return rest;
}
