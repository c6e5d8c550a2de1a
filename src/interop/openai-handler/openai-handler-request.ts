import { z } from 'zod';
import { InvalidRequestError } from '../../errors/invalid-request-error';
import type { ResponseFormat } from '../../spec/chat';
import type { AssistantMessage, ImagePart, Message, TextPart, ToolCallPart } from '../../spec/message';
import type { ChatRequest, EmbedRequest } from '../../spec/request';
import type { ToolChoice, ToolDefinition } from '../../spec/tool';

// Only the OpenAI fields we can honour are described; unknown fields (logprobs, user, …) are ignored, as
// OpenAI-compatible servers usually do.
const textContentPart = z.looseObject({ type: z.literal('text'), text: z.string() });
const imageContentPart = z.looseObject({
  type: z.literal('image_url'),
  image_url: z.looseObject({ url: z.string().min(1), detail: z.string().optional() }),
});
const refusalContentPart = z.looseObject({ type: z.literal('refusal'), refusal: z.string() });

const toolCall = z.looseObject({
  id: z.string().min(1),
  type: z.literal('function').optional(),
  function: z.looseObject({ name: z.string().min(1), arguments: z.string() }),
});

const textOnly = z.union([z.string(), z.array(textContentPart)]);

const message = z.discriminatedUnion('role', [
  z.looseObject({ role: z.literal('system'), content: textOnly }),
  z.looseObject({ role: z.literal('developer'), content: textOnly }),
  z.looseObject({
    role: z.literal('user'),
    content: z.union([z.string(), z.array(z.discriminatedUnion('type', [textContentPart, imageContentPart])).min(1)]),
  }),
  z.looseObject({
    role: z.literal('assistant'),
    content: z.union([z.string(), z.array(z.discriminatedUnion('type', [textContentPart, refusalContentPart])), z.null()]).optional(),
    tool_calls: z.array(toolCall).optional(),
  }),
  z.looseObject({ role: z.literal('tool'), tool_call_id: z.string().min(1), content: textOnly }),
]);

const tool = z.looseObject({
  type: z.literal('function'),
  function: z.looseObject({
    name: z.string().min(1),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().nullish(),
  }),
});

const toolChoice = z.union([
  z.enum(['none', 'auto', 'required']),
  z.looseObject({ type: z.literal('function'), function: z.looseObject({ name: z.string().min(1) }) }),
]);

const responseFormat = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('text') }),
  z.looseObject({ type: z.literal('json_object') }),
  z.looseObject({
    type: z.literal('json_schema'),
    json_schema: z.looseObject({
      name: z.string().min(1),
      description: z.string().optional(),
      schema: z.record(z.string(), z.unknown()).optional(),
      strict: z.boolean().nullish(),
    }),
  }),
]);

export const chatCompletionBodySchema = z.looseObject({
  model: z.string().min(1),
  messages: z.array(message).min(1, 'must contain at least one message'),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
  tools: z.array(tool).optional(),
  tool_choice: toolChoice.optional(),
  response_format: responseFormat.optional(),
  temperature: z.number().nullish(),
  top_p: z.number().nullish(),
  max_tokens: z.number().int().nullish(),
  max_completion_tokens: z.number().int().nullish(),
  stop: z.union([z.string(), z.array(z.string())]).nullish(),
  seed: z.number().int().nullish(),
  n: z.number().int().nullish(),
});

export type ChatCompletionBody = z.infer<typeof chatCompletionBodySchema>;

export const embeddingBodySchema = z.looseObject({
  model: z.string().min(1),
  input: z.union([z.string(), z.array(z.string()).min(1, 'must contain at least one text')], {
    error: 'must be a string or an array of strings (token arrays are not supported)',
  }),
  encoding_format: z.enum(['float', 'base64']).optional(),
  dimensions: z.number().int().positive().optional(),
});

export type EmbeddingBody = z.infer<typeof embeddingBodySchema>;

/** A request body problem, with the OpenAI `param` it concerns. */
export class OpenAIBodyError extends InvalidRequestError {
  readonly param: string | null;
  constructor(message: string, param: string | null) {
    super(message);
    this.param = param;
  }
}

function describePath(path: readonly PropertyKey[]): string {
  let result = '';
  for (const key of path) result += typeof key === 'number' ? `[${key}]` : result ? `.${String(key)}` : String(key);
  return result;
}

/** Parses a body with a schema, or throws an OpenAIBodyError naming the first bad field. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const param = describePath(issue.path);
  throw new OpenAIBodyError(`Invalid body: ${param || 'body'}: ${issue.message}`, param || null);
}

function joinText(content: string | Array<{ text: string }>): string {
  return typeof content === 'string' ? content : content.map((part) => part.text).join('');
}

function parseArguments(raw: string): unknown {
  if (raw.trim() === '') return {};
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function convertMessages(body: ChatCompletionBody): Message[] {
  const toolNames = new Map<string, string>();
  return body.messages.map((entry, index): Message => {
    switch (entry.role) {
      case 'system':
      case 'developer':
        return { role: 'system', content: joinText(entry.content) };
      case 'user':
        if (typeof entry.content === 'string') return { role: 'user', content: entry.content };
        return {
          role: 'user',
          content: entry.content.map((part): TextPart | ImagePart =>
            part.type === 'text' ? { type: 'text', text: part.text } : { type: 'image', image: part.image_url.url },
          ),
        };
      case 'assistant': {
        const parts: AssistantMessage['content'] & unknown[] = [];
        if (typeof entry.content === 'string') {
          if (entry.content !== '') parts.push({ type: 'text', text: entry.content });
        } else if (Array.isArray(entry.content)) {
          for (const part of entry.content) parts.push({ type: 'text', text: part.type === 'text' ? part.text : part.refusal });
        }
        for (const call of entry.tool_calls ?? []) {
          toolNames.set(call.id, call.function.name);
          const part: ToolCallPart = { type: 'tool-call', toolCallId: call.id, toolName: call.function.name, arguments: parseArguments(call.function.arguments) };
          parts.push(part);
        }
        if (parts.length === 1 && parts[0]!.type === 'text') return { role: 'assistant', content: parts[0]!.text };
        return { role: 'assistant', content: parts };
      }
      case 'tool': {
        const toolName = toolNames.get(entry.tool_call_id);
        if (toolName === undefined) {
          throw new OpenAIBodyError(
            `Invalid body: messages[${index}].tool_call_id: "${entry.tool_call_id}" answers no earlier assistant tool call`,
            `messages[${index}].tool_call_id`,
          );
        }
        return { role: 'tool', toolCallId: entry.tool_call_id, toolName, content: joinText(entry.content) };
      }
    }
  });
}

function convertTools(body: ChatCompletionBody): ToolDefinition[] | undefined {
  return body.tools?.map((entry) => {
    const definition: ToolDefinition = {
      name: entry.function.name,
      parameters: entry.function.parameters ?? { type: 'object', properties: {} },
    };
    if (entry.function.description !== undefined) definition.description = entry.function.description;
    return definition;
  });
}

function convertToolChoice(body: ChatCompletionBody): ToolChoice | undefined {
  const choice = body.tool_choice;
  if (choice === undefined) return undefined;
  return typeof choice === 'string' ? choice : { type: 'tool', name: choice.function.name };
}

function convertResponseFormat(body: ChatCompletionBody): ResponseFormat | undefined {
  const format = body.response_format;
  if (format === undefined) return undefined;
  if (format.type === 'text') return { type: 'text' };
  if (format.type === 'json_object') return { type: 'json' };
  const converted: ResponseFormat = {
    type: 'json-schema',
    name: format.json_schema.name,
    schema: format.json_schema.schema ?? { type: 'object' },
  };
  if (typeof format.json_schema.strict === 'boolean') converted.strict = format.json_schema.strict;
  return converted;
}

/** The ChatRequest an OpenAI chat completion body stands for (routing fields are added by the handler). */
export function toChatRequest(body: ChatCompletionBody): ChatRequest {
  if (body.n !== undefined && body.n !== null && body.n !== 1) throw new OpenAIBodyError('Invalid body: n: only n = 1 is supported', 'n');
  const request: ChatRequest = { messages: convertMessages(body) };
  const tools = convertTools(body);
  if (tools) request.tools = tools;
  const choice = convertToolChoice(body);
  if (choice) request.toolChoice = choice;
  const format = convertResponseFormat(body);
  if (format) request.responseFormat = format;
  if (body.temperature != null) request.temperature = body.temperature;
  if (body.top_p != null) request.topP = body.top_p;
  const maxTokens = body.max_completion_tokens ?? body.max_tokens;
  if (maxTokens != null) request.maxTokens = maxTokens;
  if (body.stop != null) request.stop = typeof body.stop === 'string' ? [body.stop] : body.stop;
  if (body.seed != null) request.seed = body.seed;
  return request;
}

/** The EmbedRequest an OpenAI embeddings body stands for. */
export function toEmbedRequest(body: EmbeddingBody): EmbedRequest {
  const request: EmbedRequest = { input: body.input };
  if (body.dimensions !== undefined) request.dimensions = body.dimensions;
  return request;
}
