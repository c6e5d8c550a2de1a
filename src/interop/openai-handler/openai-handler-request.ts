import { InvalidRequestError } from '../../errors/invalid-request-error';
import type { ResponseFormat } from '../../spec/chat';
import type { AssistantMessage, ImagePart, Message, TextPart, ToolCallPart } from '../../spec/message';
import type { ChatRequest, EmbedRequest } from '../../spec/request';
import type { ToolChoice, ToolDefinition } from '../../spec/tool';
import {
  array,
  boolean,
  describeInputPath,
  discriminated,
  nullish,
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
  type Infer,
  type InputSchema,
} from '../../validation/input-schema';

// Only the OpenAI fields we can honour are described; unknown fields (logprobs, user, …) are ignored, as
// OpenAI-compatible servers usually do.
const nonEmpty = string({ min: 1 });
const integer = number({ integer: true });
const textContentPart = object({ text: string() });
const imageContentPart = object({ image_url: object({ url: nonEmpty, detail: optional(string()) }) });
const refusalContentPart = object({ refusal: string() });

const toolCall = object({
  id: nonEmpty,
  type: optional(oneOf(['function'])),
  function: object({ name: nonEmpty, arguments: string() }),
});

const textOnly = union([string(), array(discriminated('type', { text: textContentPart }))], 'must be a string or an array of text parts');

const message = discriminated('role', {
  system: object({ content: textOnly }),
  developer: object({ content: textOnly }),
  user: object({
    content: union(
      [string(), array(discriminated('type', { text: textContentPart, image_url: imageContentPart }), { min: 1 })],
      'must be a string or a non-empty array of content parts',
    ),
  }),
  assistant: object({
    content: nullish(
      union([string(), array(discriminated('type', { text: textContentPart, refusal: refusalContentPart }))], 'must be a string, an array of content parts or null'),
    ),
    tool_calls: optional(array(toolCall)),
  }),
  tool: object({ tool_call_id: nonEmpty, content: textOnly }),
});

const tool = object({
  type: oneOf(['function']),
  function: object({
    name: nonEmpty,
    description: optional(string()),
    parameters: optional(record(unknownValue)),
    strict: nullish(boolean),
  }),
});

const toolChoice = union(
  [oneOf(['none', 'auto', 'required']), object({ type: oneOf(['function']), function: object({ name: nonEmpty }) })],
  'must be "none", "auto", "required" or { type: "function", function: { name } }',
);

const responseFormat = discriminated('type', {
  text: object({}),
  json_object: object({}),
  json_schema: object({
    json_schema: object({
      name: nonEmpty,
      description: optional(string()),
      schema: optional(record(unknownValue)),
      strict: nullish(boolean),
    }),
  }),
});

export const chatCompletionBodySchema = object({
  model: nonEmpty,
  messages: array(message, { min: 1, minMessage: 'must contain at least one message' }),
  stream: nullish(boolean),
  stream_options: nullish(object({ include_usage: optional(boolean) })),
  tools: optional(array(tool)),
  tool_choice: optional(toolChoice),
  response_format: optional(responseFormat),
  temperature: nullish(number()),
  top_p: nullish(number()),
  max_tokens: nullish(integer),
  max_completion_tokens: nullish(integer),
  stop: nullish(union([string(), array(string())], 'must be a string or an array of strings')),
  seed: nullish(integer),
  n: nullish(integer),
});

export type ChatCompletionBody = Infer<typeof chatCompletionBodySchema>;

export const embeddingBodySchema = object({
  model: nonEmpty,
  input: union(
    [string(), array(string(), { min: 1, minMessage: 'must contain at least one text' })],
    'must be a string or an array of strings (token arrays are not supported)',
  ),
  encoding_format: optional(oneOf(['float', 'base64'])),
  dimensions: optional(positiveInteger),
});

export type EmbeddingBody = Infer<typeof embeddingBodySchema>;

/** A request body problem, with the OpenAI `param` it concerns. */
export class OpenAIBodyError extends InvalidRequestError {
  readonly param: string | null;
  constructor(message: string, param: string | null) {
    super(message);
    this.param = param;
  }
}

/** Checks a body with a schema, or throws an OpenAIBodyError naming the first bad field. */
export function parseBody<T>(schema: InputSchema<T>, body: unknown): T {
  const problem = validateInput(schema, body)[0];
  if (problem === undefined) return body as T;
  const param = describeInputPath(problem.path);
  throw new OpenAIBodyError(`Invalid body: ${param || 'body'}: ${problem.message}`, param || null);
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
