import { toAbortSignal } from '../../http/abort-source';
import { anySignal } from '../../http/any-signal';
import { InvalidResponseError } from '../../errors/invalid-response-error';
import { parseProviderJson, sendProviderRequest } from '../../http/post-json';
import { batched, type BatchedIterable } from '../../http/part-batches';
import type { ProviderChatCall } from '../../spec/chat';
import type { ProviderCallContext } from '../../spec/provider';
import type { ProviderStreamPart } from '../../spec/stream';
import { partBatchesOfEvents } from '../shared/part-batches-of-events';
import type { GoogleResponse } from './google-api-types';
import { googleFetch, googleHeaders, googleModelPath, type GoogleConfig } from './google-config';
import { buildGoogleRequest } from './google-request-body';
import { createGoogleResponseProcessor } from './google-response-processor';

/**
 * Streams `POST /models/{model}:streamGenerateContent?alt=sse`. Every event is a whole
 * `GenerateContentResponse` and there is no terminator: the server just closes the body. So the stream
 * finishes only if some candidate carried a `finishReason` (or the prompt was blocked); a body that ends
 * without one was cut off and throws.
 */
export function googleStream(config: GoogleConfig, call: ProviderChatCall, context: ProviderCallContext): BatchedIterable<ProviderStreamPart> {
  return batched(() => googleStreamBatches(config, call, context));
}

/** `googleStream` in batches: the parts of every event one network read completed. */
async function* googleStreamBatches(config: GoogleConfig, call: ProviderChatCall, context: ProviderCallContext): AsyncGenerator<ProviderStreamPart[]> {
  const provider = config.providerId;
  const body = buildGoogleRequest(call, { providerId: provider, lookupSignature: config.signatures.lookup });
  // Our own controller lets an early `return()` by the consumer abort the upstream request.
  const controller = new AbortController();
  const signal = context.signal ? anySignal([toAbortSignal(context.signal), controller.signal]) : controller.signal;
  let finished = false;
  try {
    const response = await sendProviderRequest({
      url: `${config.baseUrl}/${googleModelPath(call.model)}:streamGenerateContent?alt=sse`,
      fetch: googleFetch(context),
      headers: googleHeaders(config, context),
      body,
      signal,
      provider,
      model: call.model,
    });
    if (!response.body) throw new InvalidResponseError(`${provider}: streaming response has no body`, { provider, model: call.model });
    const processor = createGoogleResponseProcessor({ provider, model: call.model, rememberSignature: config.signatures.remember });
    yield* partBatchesOfEvents(response.body, provider, signal, (event, parts) => {
      if (event.data.trim() === '' || event.data === '[DONE]') return false;
      for (const part of processor.accept(parseProviderJson<GoogleResponse>(event.data, provider, call.model))) parts.push(part);
      return false;
    });
    if (!processor.finished) {
      throw new InvalidResponseError(`${provider}: stream ended without a finishReason (truncated response)`, { provider, model: call.model });
    }
    const closing = processor.close();
    finished = true;
    yield closing;
  } finally {
    if (!finished) controller.abort();
  }
}
