import { InvalidRequestError } from '../errors/invalid-request-error';
import { isStandardJsonSchema } from '../providers/shared/to-json-schema';
import type { ChatRequest, EmbedRequest } from '../spec/request';
import {
  array,
  boolean,
  custom,
  describeInputPath,
  discriminated,
  number,
  object,
  oneOf,
  optional,
  positiveInteger,
  record,
  string,
  union,
  unknownValue,
  validateInput,
  type InputSchema,
} from '../validation/input-schema';

const text = string();
const nonEmpty = string({ min: 1 });
const textPart = object({ text });
const imagePart = object({
  image: union([nonEmpty, custom((value) => value instanceof Uint8Array, 'must be a Uint8Array')], 'must be a URL, base64 data or a Uint8Array'),
  mediaType: optional(string()),
});
const toolCallPart = object({ toolCallId: nonEmpty, toolName: nonEmpty, arguments: unknownValue });
const reasoningPart = object({ text, signature: optional(string()) });

const message = discriminated('role', {
  system: object({ content: text }),
  user: object({
    content: union([text, array(discriminated('type', { text: textPart, image: imagePart }), { min: 1 })], 'must be a string or a non-empty array of parts'),
  }),
  assistant: object({
    content: union([text, array(discriminated('type', { text: textPart, 'tool-call': toolCallPart, reasoning: reasoningPart }))], 'must be a string or an array of parts'),
  }),
  tool: object({ toolCallId: nonEmpty, toolName: optional(string()), content: text }),
});

const toolParametersMessage = 'must be a JSON Schema whose root type is "object", or a Standard JSON Schema object (zod 4.2 or later, ArkType, …)';
const toolParameters: InputSchema<Record<string, unknown>> = (value, path, problems) => {
  if (isStandardJsonSchema(value)) return;
  // zod 4.0 and 4.1 schemas say `type: "object"` too, but cannot convert themselves without zod's own code.
  if (typeof value === 'object' && value !== null && '_zod' in value) {
    problems.push({ path: path.slice(), message: 'is a zod schema without Standard JSON Schema support; use zod 4.2 or later, or pass JSON Schema', wrongKind: true });
  } else if (typeof value !== 'object' || value === null || Array.isArray(value) || (value as { type?: unknown }).type !== 'object') {
    problems.push({ path: path.slice(), message: toolParametersMessage, wrongKind: true });
  }
};

const tool = object({
  name: string({ pattern: [/^[A-Za-z0-9_-]{1,64}$/, 'must be 1–64 letters, digits, "_" or "-"'] }),
  description: optional(string()),
  parameters: toolParameters,
});

const routingFields = {
  model: optional(union([nonEmpty, array(nonEmpty, { min: 1 })], 'must be a model reference or a non-empty array of them')),
  userId: optional(string({ min: 1, max: 256 })),
  tier: optional(string({ min: 1, max: 64 })),
  feature: optional(string({ max: 256 })),
  metadata: optional(record(string())),
  signal: optional(custom<AbortSignal>((value) => value instanceof AbortSignal, 'must be an AbortSignal')),
  timeoutMs: optional(positiveInteger),
};

const providerOptions = optional(record(record(unknownValue)));

export const chatRequestSchema = object({
  ...routingFields,
  messages: array(message, { min: 1, minMessage: 'must contain at least one message' }),
  tools: optional(array(tool)),
  toolChoice: optional(
    union([oneOf(['auto', 'none', 'required']), object({ type: oneOf(['tool']), name: nonEmpty })], 'must be "auto", "none", "required" or { type: "tool", name }'),
  ),
  responseFormat: optional(
    discriminated('type', {
      text: object({}),
      json: object({}),
      'json-schema': object({ schema: toolParameters, name: optional(string()), strict: optional(boolean) }),
    }),
  ),
  temperature: optional(number({ min: 0, max: 2 })),
  topP: optional(number({ greaterThan: 0, max: 1 })),
  maxTokens: optional(positiveInteger),
  stop: optional(array(string(), { max: 16 })),
  seed: optional(number({ integer: true })),
  providerOptions,
  conversationId: optional(nonEmpty),
  cache: optional(oneOf(['default', 'bypass'])),
});

export const embedRequestSchema = object({
  ...routingFields,
  input: union([string(), array(string(), { min: 1, minMessage: 'must contain at least one text' })], 'must be a string or an array of strings'),
  dimensions: optional(positiveInteger),
  providerOptions,
});

/** Checks `request` and throws one InvalidRequestError naming every bad field (up to five). */
function check(schema: InputSchema<unknown>, request: unknown, what: string): void {
  const problems = validateInput(schema, request);
  if (problems.length === 0) return;
  const described = problems.slice(0, 5).map((problem) => `${describeInputPath(problem.path) || 'request'}: ${problem.message}`);
  throw new InvalidRequestError(`Invalid ${what}: ${described.join('; ')}`);
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isString = (value: unknown, min: number, max = Number.POSITIVE_INFINITY): boolean =>
  typeof value === 'string' && value.length >= min && value.length <= max;
const isPositiveInteger = (value: unknown): boolean => Number.isSafeInteger(value) && (value as number) > 0;

/** A message of the plain kind: a system, user or assistant turn whose content is text. */
function isPlainMessage(message: unknown): boolean {
  if (!isRecord(message) || typeof message.content !== 'string') return false;
  return message.role === 'user' || message.role === 'system' || message.role === 'assistant';
}

/**
 * True when the request has the common plain shape, every field of which `chatRequestSchema` accepts as
 * is: then walking the whole schema would only say yes. Anything else (tools, formats, parts, metadata,
 * unknown fields, a wrong value) returns false and the schema decides and explains.
 */
function isPlainChatRequest(request: unknown): boolean {
  if (!isRecord(request)) return false;
  let hasMessages = false;
  for (const field in request) {
    const value = request[field];
    if (value === undefined) continue;
    switch (field) {
      case 'messages':
        if (!Array.isArray(value) || value.length === 0) return false;
        for (const message of value) if (!isPlainMessage(message)) return false;
        hasMessages = true;
        break;
      case 'model':
      case 'conversationId':
        if (!isString(value, 1)) return false;
        break;
      case 'userId':
      case 'feature':
        if (!isString(value, field === 'userId' ? 1 : 0, 256)) return false;
        break;
      case 'tier':
        if (!isString(value, 1, 64)) return false;
        break;
      case 'cache':
        if (value !== 'default' && value !== 'bypass') return false;
        break;
      case 'temperature':
        if (typeof value !== 'number' || !(value >= 0 && value <= 2)) return false;
        break;
      case 'topP':
        if (typeof value !== 'number' || !(value > 0 && value <= 1)) return false;
        break;
      case 'maxTokens':
      case 'timeoutMs':
        if (!isPositiveInteger(value)) return false;
        break;
      case 'seed':
        if (!Number.isSafeInteger(value)) return false;
        break;
      case 'signal':
        if (!(value instanceof AbortSignal)) return false;
        break;
      default:
        return false;
    }
  }
  return hasMessages;
}

/** Validates a chat request; throws InvalidRequestError naming the field. */
export function validateChatRequest(request: ChatRequest): void {
  if (isPlainChatRequest(request)) return;
  check(chatRequestSchema, request, 'chat request');
  if (request.toolChoice && typeof request.toolChoice === 'object' && !request.tools?.some((t) => t.name === (request.toolChoice as { name: string }).name)) {
    throw new InvalidRequestError(`Invalid chat request: toolChoice names tool "${request.toolChoice.name}", which is not in tools`);
  }
}

/** Validates an embed request; throws InvalidRequestError naming the field. */
export function validateEmbedRequest(request: EmbedRequest): void {
  check(embedRequestSchema, request, 'embed request');
}
