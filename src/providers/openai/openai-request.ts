import { InvalidResponseError } from '../../errors/invalid-response-error';
import { mapFetchError } from '../../http/map-fetch-error';
import { parseProviderJson, requestJson, sendProviderRequest } from '../../http/post-json';
import type { ProviderCallContext } from '../../spec/provider';
import type { OpenAIEndpoint } from './openai-endpoint';
import { errorFromOpenAIPayload } from './openai-error';

/**
 * POSTs a JSON body to `<baseUrl><path>` (`/chat/completions`, `/responses`, `/embeddings`) and returns the
 * answer. Some compatible servers report errors with status 200 and an `{ error }` body; that throws too.
 */
export function postOpenAIJson<T>(endpoint: OpenAIEndpoint, path: string, body: unknown, context: ProviderCallContext, model: string): Promise<T> {
  let answer: Promise<T>;
  try {
    answer = requestJson<T>({
      url: endpoint.url(path),
      fetch: context.fetch,
      headers: endpoint.headers(context, 'json'),
      body,
      signal: context.signal,
      provider: endpoint.provider,
      model,
    });
  } catch (error) {
    return Promise.reject(error);
  }
  // A continuation rather than another async frame held open while the provider answers.
  return answer.then((value) => {
    const payloadError = errorFromOpenAIPayload(value, endpoint.provider, model);
    if (payloadError) throw payloadError;
    return value;
  });
}

/**
 * POSTs a streaming request and returns the event-stream body. A server that answers a stream request
 * with plain JSON is reporting an error (or ignoring `stream`), so that throws the typed error it carries.
 */
export async function openOpenAIEventStream(
  endpoint: OpenAIEndpoint,
  path: string,
  body: unknown,
  context: ProviderCallContext,
  model: string,
): Promise<ReadableStream<Uint8Array>> {
  const provider = endpoint.provider;
  const response = await sendProviderRequest({
    url: endpoint.url(path),
    fetch: context.fetch,
    headers: endpoint.headers(context, 'json-for-event-stream'),
    body,
    signal: context.signal,
    provider,
    model,
  });
  if (!response.body) throw new InvalidResponseError(`${provider}: streaming response has no body`, { provider, model });
  const contentType = response.headers.get('content-type') ?? '';
  if (contentType.includes('application/json')) {
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      throw mapFetchError(error, provider, context.signal);
    }
    const payload = parseProviderJson<unknown>(text, provider, model);
    throw errorFromOpenAIPayload(payload, provider, model) ?? new InvalidResponseError(`${provider}: expected an event stream, got a JSON body`, { provider, model });
  }
  return response.body;
}
