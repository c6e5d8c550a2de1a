import type { ChatStream } from '../../manager/chat-stream';
import type { StreamPart } from '../../spec/stream';
import { errorResponse, toOpenAIError } from './openai-handler-errors';
import { toOpenAIFinishReason, toOpenAIUsage } from './openai-handler-response';

/** What the SSE chunks carry besides the parts. */
export interface ChunkIdentity {
  /** `chatcmpl-…`, the same in every chunk. */
  id: string;
  /** Unix seconds. */
  created: number;
  /** Model name echoed in every chunk. */
  model: string;
  /** `stream_options.include_usage`: every chunk has `usage: null` and a last chunk with `choices: []` has it. */
  includeUsage: boolean;
}

const encoder = new TextEncoder();

function frame(value: unknown): Uint8Array {
  return encoder.encode(`data: ${JSON.stringify(value)}\n\n`);
}

// Parts that show the stream is really under way; until one arrives a failure can still be a proper status.
function startsContent(part: StreamPart): boolean {
  return part.type !== 'response-metadata' && part.type !== 'usage';
}

/** Turns our stream parts into `chat.completion.chunk` objects, tool calls numbered by `index`. */
function createChunkWriter(identity: ChunkIdentity) {
  const toolIndexes = new Map<string, { index: number; sent: string }>();
  let started = false;

  function chunk(delta: Record<string, unknown>, finishReason: string | null = null): Record<string, unknown> {
    const value: Record<string, unknown> = {
      id: identity.id,
      object: 'chat.completion.chunk',
      created: identity.created,
      model: identity.model,
      system_fingerprint: null,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    };
    if (identity.includeUsage) value.usage = null;
    return value;
  }

  function toolDelta(id: string, name: string, argumentsDelta: string): Record<string, unknown> | undefined {
    const known = toolIndexes.get(id);
    if (!known) {
      const entry = { index: toolIndexes.size, sent: argumentsDelta };
      toolIndexes.set(id, entry);
      return chunk({ tool_calls: [{ index: entry.index, id, type: 'function', function: { name, arguments: argumentsDelta } }] });
    }
    if (argumentsDelta === '') return undefined;
    known.sent += argumentsDelta;
    return chunk({ tool_calls: [{ index: known.index, function: { arguments: argumentsDelta } }] });
  }

  return function write(part: StreamPart): Uint8Array[] {
    const out: Record<string, unknown>[] = [];
    if (!started && startsContent(part) && part.type !== 'error') {
      started = true;
      out.push(chunk({ role: 'assistant', content: '', refusal: null }));
    }
    switch (part.type) {
      case 'text-delta':
        if (part.text !== '') out.push(chunk({ content: part.text }));
        break;
      case 'reasoning-delta':
        // DeepSeek's and OpenRouter's field; OpenAI clients ignore it.
        if (part.text !== '') out.push(chunk({ reasoning_content: part.text }));
        break;
      case 'tool-call-delta': {
        const value = toolDelta(part.id, part.name, part.argumentsDelta);
        if (value) out.push(value);
        break;
      }
      case 'tool-call': {
        // Adapters that never streamed the arguments send the call whole; otherwise send what is missing.
        const known = toolIndexes.get(part.toolCall.id);
        const raw = part.toolCall.rawArguments;
        const missing = known ? (raw.startsWith(known.sent) ? raw.slice(known.sent.length) : '') : raw;
        const value = toolDelta(part.toolCall.id, part.toolCall.name, known ? missing : raw);
        if (value) out.push(value);
        break;
      }
      case 'finish':
        out.push(chunk({}, toOpenAIFinishReason(part.finishReason)));
        if (identity.includeUsage) {
          out.push({
            id: identity.id, object: 'chat.completion.chunk', created: identity.created, model: identity.model,
            system_fingerprint: null, choices: [], usage: toOpenAIUsage(part.usage),
          });
        }
        break;
      case 'error':
        // Headers are gone; OpenAI clients raise an APIError for a data line carrying `error`.
        return [frame(toOpenAIError(part.error).body)];
      default:
        break;
    }
    return out.map(frame);
  };
}

/**
 * Answers a streaming chat completion. It waits for the first content part before answering, so a call
 * refused by a limit, or failing on every provider before any output, still gets its proper status code.
 * Cancelling the response body (the client went away) cancels the stream and with it the upstream call.
 */
export async function streamChatCompletion(stream: ChatStream, identity: ChunkIdentity, headers: Record<string, string>): Promise<Response> {
  const iterator = stream[Symbol.asyncIterator]();
  const pending: StreamPart[] = [];
  try {
    while (true) {
      const next = await iterator.next();
      if (next.done) break;
      if (next.value.type === 'error') return errorResponse(toOpenAIError(next.value.error));
      pending.push(next.value);
      if (startsContent(next.value)) break;
    }
  } catch (error) {
    stream.cancel(error);
    return errorResponse(toOpenAIError(error));
  }

  const write = createChunkWriter(identity);
  let ended = false;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        // Parts such as `usage` produce no chunk; keep reading until something is sent, or a pull would stall.
        while (!ended) {
          const part = pending.shift() ?? (await nextPart());
          if (part === undefined) {
            finish(controller);
            return;
          }
          const frames = write(part);
          for (const bytes of frames) controller.enqueue(bytes);
          if (part.type === 'error') {
            finish(controller);
          } else if (part.type === 'finish') {
            controller.enqueue(encoder.encode('data: [DONE]\n\n'));
            finish(controller);
            // Let the manager's generator run to its end (it settles its bookkeeping there).
            void iterator.next().catch(() => undefined);
          }
          if (frames.length > 0) return;
        }
      } catch (error) {
        if (ended) return;
        controller.enqueue(frame(toOpenAIError(error).body));
        finish(controller);
      }
    },
    cancel(reason) {
      if (ended) return;
      ended = true;
      // Abort first: return() alone would wait for a stalled upstream to yield its next part.
      stream.cancel(reason);
      void iterator.return(undefined).catch(() => undefined);
    },
  });

  async function nextPart(): Promise<StreamPart | undefined> {
    const next = await iterator.next();
    return next.done ? undefined : next.value;
  }

  function finish(controller: ReadableStreamDefaultController<Uint8Array>): void {
    if (ended) return;
    ended = true;
    controller.close();
  }

  return new Response(body, {
    status: 200,
    headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', ...headers },
  });
}
