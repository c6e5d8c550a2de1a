import { InvalidResponseError } from '../../errors/invalid-response-error';
import { createProviderError } from '../../http/provider-error';
import type { ProviderChatCall } from '../../spec/chat';
import type { ProviderStreamPart } from '../../spec/stream';
import type { OllamaChatChunk } from './ollama-api-types';
import { mapOllamaFinishReason } from './ollama-finish-reason';
import { convertOllamaToolCall } from './ollama-tool-calls';
import { convertOllamaUsage } from './ollama-usage';

/**
 * Turns `/api/chat` NDJSON objects into stream parts. The object with `done: true` carries the counts and
 * ends the stream; a body that ends without it was cut and throws. A `{"error": …}` line throws a typed
 * error. Tool calls arrive whole, so each is emitted as one argument delta followed by the complete call.
 */
export async function* readOllamaStream(
  chunks: AsyncIterable<OllamaChatChunk>,
  call: ProviderChatCall,
  provider: string,
  model: string,
): AsyncGenerator<ProviderStreamPart> {
  let announced = false;
  let text = '';
  let madeToolCalls = false;
  for await (const chunk of chunks) {
    if (typeof chunk !== 'object' || chunk === null) {
      throw new InvalidResponseError(`${provider}: stream line is not an object`, { provider, model });
    }
    if (typeof chunk.error === 'string') throw createProviderError({ provider, model, body: chunk });
    if (!announced) {
      announced = true;
      yield { type: 'response-metadata', model: chunk.model ?? model };
    }
    const message = chunk.message;
    if (message?.thinking) yield { type: 'reasoning-delta', text: message.thinking };
    if (message?.content) {
      text += message.content;
      yield { type: 'text-delta', text: message.content };
    }
    for (const raw of message?.tool_calls ?? []) {
      const toolCall = convertOllamaToolCall(raw);
      madeToolCalls = true;
      yield { type: 'tool-call-delta', id: toolCall.id, name: toolCall.name, argumentsDelta: toolCall.rawArguments };
      yield { type: 'tool-call', toolCall };
    }
    if (chunk.done === true) {
      const usage = convertOllamaUsage(chunk, call.messages, text);
      yield { type: 'usage', usage };
      yield {
        type: 'finish',
        finishReason: mapOllamaFinishReason(chunk.done_reason, madeToolCalls),
        ...(chunk.done_reason !== undefined ? { rawFinishReason: chunk.done_reason } : {}),
        usage,
      };
      return;
    }
  }
  throw new InvalidResponseError(`${provider}: the stream ended without its final "done": true object (truncated response)`, { provider, model });
}
