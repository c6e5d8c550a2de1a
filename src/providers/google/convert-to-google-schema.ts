import type { JsonSchema } from '../../spec/tool';

type Schema = Record<string, unknown>;

// Keywords Gemini's OpenAPI-3.0 subset accepts and that carry over unchanged.
const passThrough = ['description', 'title', 'minimum', 'maximum', 'minItems', 'maxItems', 'minLength', 'maxLength', 'pattern', 'minProperties', 'maxProperties', 'propertyOrdering', 'nullable'];
const allowedFormats: Record<string, string[]> = { string: ['enum', 'date-time'], number: ['float', 'double'], integer: ['int32', 'int64'] };
const maximumRefDepth = 8;

/**
 * Converts JSON Schema to the OpenAPI subset Gemini accepts for `parameters` and `responseSchema`:
 * `$ref`s are inlined, `["string", "null"]` and `anyOf: [X, null]` become `nullable`, `const` becomes a
 * one-value enum, and keywords Gemini rejects (`additionalProperties`, `$schema`, `default`, non-string
 * enums, unknown formats) are dropped. An object schema without properties at the root converts to
 * undefined, because Gemini rejects an OBJECT with empty `properties` (a tool with no parameters then
 * simply declares none).
 */
export function convertToGoogleSchema(schema: JsonSchema): JsonSchema | undefined {
  const definitions = { ...(schema.definitions as Schema | undefined), ...(schema.$defs as Schema | undefined) };
  if (isEmptyObjectSchema(schema)) return undefined;
  return convertNode(schema, definitions, 0);
}

function isEmptyObjectSchema(schema: Schema): boolean {
  return schema.type === 'object' && (!schema.properties || Object.keys(schema.properties as Schema).length === 0) && !schema.anyOf && !schema.oneOf && !schema.$ref;
}

function convertNode(input: unknown, definitions: Schema, depth: number): Schema {
  if (typeof input !== 'object' || input === null) return {};
  let node = input as Schema;
  if (typeof node.$ref === 'string') {
    const name = node.$ref.replace(/^#\/(\$defs|definitions)\//, '');
    const target = definitions[name];
    // A recursive schema cannot be inlined forever: past the depth bound it becomes a plain object.
    if (target === undefined || depth >= maximumRefDepth) return { type: 'object' };
    const { $ref: _ref, ...rest } = node;
    node = { ...(target as Schema), ...rest };
    depth++;
  }

  const result: Schema = {};
  for (const key of passThrough) if (node[key] !== undefined) result[key] = node[key];

  let type = node.type;
  if (Array.isArray(type)) {
    const nonNull = type.filter((entry) => entry !== 'null');
    if (nonNull.length < type.length) result.nullable = true;
    if (nonNull.length === 1) type = nonNull[0];
    else {
      result.anyOf = nonNull.map((entry) => convertNode({ ...node, type: entry }, definitions, depth));
      return result;
    }
  }
  if (node.const !== undefined) {
    if (typeof node.const === 'string') {
      result.type = 'string';
      result.enum = [node.const];
    }
    return result;
  }
  if (typeof type === 'string' && type !== 'null') result.type = type;
  if (type === 'null') result.nullable = true;

  if (Array.isArray(node.enum)) {
    const values = node.enum.filter((value) => value !== null);
    if (values.length < node.enum.length) result.nullable = true;
    if (values.every((value) => typeof value === 'string')) {
      result.enum = values;
      result.type ??= 'string';
    }
  }
  if (typeof node.format === 'string' && typeof result.type === 'string' && allowedFormats[result.type]?.includes(node.format)) {
    result.format = node.format;
  }

  if (node.properties && typeof node.properties === 'object') {
    const properties: Schema = {};
    for (const [name, property] of Object.entries(node.properties as Schema)) properties[name] = convertNode(property, definitions, depth);
    if (Object.keys(properties).length > 0) result.properties = properties;
    if (Array.isArray(node.required)) {
      const required = node.required.filter((name) => typeof name === 'string' && name in properties);
      if (required.length > 0) result.required = required;
    }
    result.type ??= 'object';
  }
  if (node.items !== undefined) {
    // Tuple items have no counterpart; the first position's schema is the closest fit.
    const items = Array.isArray(node.items) ? node.items[0] : node.items;
    result.items = convertNode(items, definitions, depth);
    result.type ??= 'array';
  }

  const alternatives = (node.anyOf ?? node.oneOf) as unknown[] | undefined;
  if (Array.isArray(alternatives)) {
    const nonNull = alternatives.filter((entry) => (entry as Schema | null)?.type !== 'null');
    if (nonNull.length < alternatives.length) result.nullable = true;
    const converted = nonNull.map((entry) => convertNode(entry, definitions, depth));
    if (converted.length === 1) Object.assign(result, converted[0], result.nullable ? { nullable: true } : {});
    else if (converted.length > 1) result.anyOf = converted;
  }
  if (Array.isArray(node.allOf)) {
    // Gemini has no allOf; merging the parts shallowly keeps their properties and constraints.
    for (const part of node.allOf) {
      const converted = convertNode(part, definitions, depth);
      const properties = { ...(result.properties as Schema | undefined), ...(converted.properties as Schema | undefined) };
      const required = [...((result.required as string[] | undefined) ?? []), ...((converted.required as string[] | undefined) ?? [])];
      Object.assign(result, converted);
      if (Object.keys(properties).length > 0) result.properties = properties;
      if (required.length > 0) result.required = [...new Set(required)];
    }
  }
  return result;
}
