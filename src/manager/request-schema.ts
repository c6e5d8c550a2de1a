import { z } from 'zod';
import { InvalidRequestError } from '../errors/invalid-request-error';
import type { ChatRequest, EmbedRequest } from '../spec/request';

const text = z.string();
const textPart = z.object({ type: z.literal('text'), text });
const imagePart = z.object({
  type: z.literal('image'),
  image: z.union([z.string().min(1), z.instanceof(Uint8Array)]),
  mediaType: z.string().optional(),
});
const toolCallPart = z.object({ type: z.literal('tool-call'), toolCallId: z.string().min(1), toolName: z.string().min(1), arguments: z.unknown() });
const reasoningPart = z.object({ type: z.literal('reasoning'), text, signature: z.string().optional() });

const message = z.discriminatedUnion('role', [
  z.object({ role: z.literal('system'), content: text }),
  z.object({ role: z.literal('user'), content: z.union([text, z.array(z.discriminatedUnion('type', [textPart, imagePart])).min(1)]) }),
  z.object({
    role: z.literal('assistant'),
    content: z.union([text, z.array(z.discriminatedUnion('type', [textPart, toolCallPart, reasoningPart]))]),
  }),
  z.object({ role: z.literal('tool'), toolCallId: z.string().min(1), toolName: z.string().optional(), content: text }),
]);

const isZodSchema = (value: unknown): boolean => typeof value === 'object' && value !== null && '_zod' in value;

const toolParameters = z.custom<Record<string, unknown>>(
  (value) =>
    isZodSchema(value) ||
    (typeof value === 'object' && value !== null && !Array.isArray(value) && (value as { type?: unknown }).type === 'object'),
  { message: 'must be a JSON Schema whose root type is "object", or a zod object schema' },
);

const tool = z.object({
  name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1–64 letters, digits, "_" or "-"'),
  description: z.string().optional(),
  parameters: toolParameters,
});

const routingFields = {
  model: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
  userId: z.string().min(1).max(256).optional(),
  tier: z.string().min(1).max(64).optional(),
  feature: z.string().max(256).optional(),
  metadata: z.record(z.string(), z.string()).optional(),
  signal: z.custom<AbortSignal>((value) => value instanceof AbortSignal, { message: 'must be an AbortSignal' }).optional(),
  timeoutMs: z.number().int().positive().optional(),
};

const providerOptions = z.record(z.string(), z.record(z.string(), z.unknown())).optional();

export const chatRequestSchema = z.object({
  ...routingFields,
  messages: z.array(message).min(1, 'must contain at least one message'),
  tools: z.array(tool).optional(),
  toolChoice: z
    .union([z.enum(['auto', 'none', 'required']), z.object({ type: z.literal('tool'), name: z.string().min(1) })])
    .optional(),
  responseFormat: z
    .discriminatedUnion('type', [
      z.object({ type: z.literal('text') }),
      z.object({ type: z.literal('json') }),
      z.object({ type: z.literal('json-schema'), schema: toolParameters, name: z.string().optional(), strict: z.boolean().optional() }),
    ])
    .optional(),
  temperature: z.number().min(0).max(2).optional(),
  topP: z.number().gt(0).max(1).optional(),
  maxTokens: z.number().int().positive().optional(),
  stop: z.array(z.string()).max(16).optional(),
  seed: z.number().int().optional(),
  providerOptions,
  conversationId: z.string().min(1).optional(),
  cache: z.enum(['default', 'bypass']).optional(),
});

export const embedRequestSchema = z.object({
  ...routingFields,
  input: z.union([z.string(), z.array(z.string()).min(1, 'must contain at least one text')]),
  dimensions: z.number().int().positive().optional(),
  providerOptions,
});

function describePath(path: readonly PropertyKey[]): string {
  let result = '';
  for (const key of path) result += typeof key === 'number' ? `[${key}]` : result ? `.${String(key)}` : String(key);
  return result || 'request';
}

/** Turns a zod failure into one InvalidRequestError naming every bad field. */
export function invalidRequestFrom(error: z.ZodError, what: string): InvalidRequestError {
  const problems = error.issues.slice(0, 5).map((issue) => `${describePath(issue.path)}: ${issue.message}`);
  return new InvalidRequestError(`Invalid ${what}: ${problems.join('; ')}`);
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
 * is: then parsing it with zod (several microseconds per call) would only say yes. Anything else (tools,
 * formats, parts, metadata, unknown fields, a wrong value) returns false and zod decides and explains.
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
  const parsed = chatRequestSchema.safeParse(request);
  if (!parsed.success) throw invalidRequestFrom(parsed.error, 'chat request');
  if (request.toolChoice && typeof request.toolChoice === 'object' && !request.tools?.some((t) => t.name === (request.toolChoice as { name: string }).name)) {
    throw new InvalidRequestError(`Invalid chat request: toolChoice names tool "${request.toolChoice.name}", which is not in tools`);
  }
}

/** Validates an embed request; throws InvalidRequestError naming the field. */
export function validateEmbedRequest(request: EmbedRequest): void {
  const parsed = embedRequestSchema.safeParse(request);
  if (!parsed.success) throw invalidRequestFrom(parsed.error, 'embed request');
}
