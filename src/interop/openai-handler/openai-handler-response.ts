import type { ChatResult, EmbedResult } from '../../spec/result';
import type { FinishReason, Usage } from '../../spec/usage';

/** OpenAI's `usage` object of a chat completion. */
export interface OpenAIChatUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens: number };
  completion_tokens_details?: { reasoning_tokens: number };
}

/** OpenAI's finish_reason for ours. */
export function toOpenAIFinishReason(reason: FinishReason): 'stop' | 'length' | 'tool_calls' | 'content_filter' {
  switch (reason) {
    case 'length':
      return 'length';
    case 'tool-calls':
      return 'tool_calls';
    case 'content-filter':
      return 'content_filter';
    default:
      return 'stop';
  }
}

export function toOpenAIUsage(usage: Usage): OpenAIChatUsage {
  const converted: OpenAIChatUsage = {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.totalTokens,
  };
  if (usage.cachedInputTokens !== undefined) converted.prompt_tokens_details = { cached_tokens: usage.cachedInputTokens };
  if (usage.reasoningTokens !== undefined) converted.completion_tokens_details = { reasoning_tokens: usage.reasoningTokens };
  return converted;
}

/** The model name we answer with: the reference that served the call, so clients can see where it went. */
export function servedModelName(result: Pick<ChatResult, 'provider' | 'model'>): string {
  return `${result.provider}:${result.model}`;
}

/** A `chat.completion` object for a finished chat result. */
export function toChatCompletion(result: ChatResult, created: number): Record<string, unknown> {
  const message: Record<string, unknown> = {
    role: 'assistant',
    content: result.text === '' && result.toolCalls.length > 0 ? null : result.text,
    refusal: null,
  };
  // DeepSeek's and OpenRouter's field for reasoning; OpenAI clients ignore it.
  if (result.reasoning) message.reasoning_content = result.reasoning;
  if (result.toolCalls.length > 0) {
    message.tool_calls = result.toolCalls.map((call) => ({
      id: call.id,
      type: 'function',
      function: { name: call.name, arguments: call.rawArguments },
    }));
  }
  return {
    id: `chatcmpl-${result.requestId}`,
    object: 'chat.completion',
    created,
    model: servedModelName(result),
    choices: [{ index: 0, message, logprobs: null, finish_reason: toOpenAIFinishReason(result.finishReason) }],
    usage: toOpenAIUsage(result.usage),
    system_fingerprint: null,
  };
}

function float32Base64(vector: number[]): string {
  const bytes = new Uint8Array(new Float32Array(vector).buffer);
  let binary = '';
  for (let index = 0; index < bytes.length; index += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(index, index + 0x8000));
  }
  return btoa(binary);
}

/** A `list` of embeddings, as floats or (what the official client asks for by default) base64 float32. */
export function toEmbeddingList(result: EmbedResult, encoding: 'float' | 'base64'): Record<string, unknown> {
  return {
    object: 'list',
    data: result.embeddings.map((vector, index) => ({
      object: 'embedding',
      index,
      embedding: encoding === 'base64' ? float32Base64(vector) : vector,
    })),
    model: `${result.provider}:${result.model}`,
    usage: { prompt_tokens: result.usage.inputTokens, total_tokens: result.usage.inputTokens },
  };
}
