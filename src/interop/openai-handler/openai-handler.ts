import type { LLMManager } from '../../manager/create-llm-manager';
import { LLMError } from '../../errors/llm-error';
import type { ChatRequest, EmbedRequest, RoutingFields } from '../../spec/request';
import { errorResponse, simpleErrorResponse, toOpenAIError } from './openai-handler-errors';
import type { OpenAIHandlerCaller, OpenAIHandlerManager, OpenAIHandlerOptions } from './openai-handler-options';
import { chatCompletionBodySchema, embeddingBodySchema, OpenAIBodyError, parseBody, toChatRequest, toEmbedRequest } from './openai-handler-request';
import { toChatCompletion, toEmbeddingList } from './openai-handler-response';
import { streamChatCompletion } from './openai-handler-stream';

/** A web-standard request handler: mount it in Hono, Next.js, Deno.serve, a Worker, or node:http via `toNodeHandler`. */
export type OpenAIHandler = (request: Request) => Promise<Response>;

const defaultMaxBodyBytes = 20 * 1024 * 1024;

function json(value: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(value), { status: 200, headers: { 'content-type': 'application/json', ...headers } });
}

function normaliseBasePath(basePath: string | undefined): string {
  const path = basePath ?? '/v1';
  const trimmed = path.replace(/\/+$/, '');
  return trimmed === '' ? '' : trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}

async function readJsonBody(request: Request, maxBytes: number): Promise<unknown> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > maxBytes) throw new OpenAIBodyError(`Request body is larger than ${maxBytes} bytes`, null);
  const text = await request.text();
  if (text.length > maxBytes) throw new OpenAIBodyError(`Request body is larger than ${maxBytes} bytes`, null);
  try {
    return JSON.parse(text);
  } catch {
    throw new OpenAIBodyError('The body is not valid JSON', null);
  }
}

/**
 * Serves the OpenAI API over the manager, so anything that speaks it (the official SDKs, LangChain, IDE
 * plugins) gets our routing, fallback, limits, budgets, cache and usage tracking:
 * `POST {basePath}/chat/completions` (JSON and SSE), `POST {basePath}/embeddings`, `GET {basePath}/models`.
 * Errors come back in OpenAI's `{ error: { message, type, param, code } }` shape with a matching status.
 */
export function createOpenAIHandler(llm: OpenAIHandlerManager, options: OpenAIHandlerOptions): OpenAIHandler {
  if (typeof options?.authenticate !== 'function') {
    throw new TypeError('createOpenAIHandler: options.authenticate must be a function mapping a request to { userId }');
  }
  const basePath = normaliseBasePath(options.basePath);
  const maxBodyBytes = options.maxBodyBytes ?? defaultMaxBodyBytes;

  async function authenticate(request: Request): Promise<OpenAIHandlerCaller | Response> {
    let caller: OpenAIHandlerCaller | null | undefined;
    try {
      caller = await options.authenticate(request);
    } catch (error) {
      // An LLMError from authenticate (a limit checked there, say) keeps its meaning; anything else is a 401.
      if (LLMError.isInstance(error) && error.code !== 'authentication') return errorResponse(toOpenAIError(error));
    }
    if (!caller || typeof caller.userId !== 'string' || caller.userId === '') {
      return simpleErrorResponse(401, 'Missing or invalid credentials', 'invalid_request_error', 'invalid_api_key', {
        'www-authenticate': 'Bearer',
      });
    }
    return caller;
  }

  function routingFields(caller: OpenAIHandlerCaller, model: string, signal: AbortSignal): RoutingFields {
    const fields: RoutingFields = { model: options.resolveModel ? options.resolveModel(model, caller) : model, userId: caller.userId, signal };
    if (caller.tier !== undefined) fields.tier = caller.tier;
    const feature = caller.feature ?? options.feature;
    if (feature !== undefined) fields.feature = feature;
    if (caller.metadata !== undefined) fields.metadata = { ...caller.metadata };
    return fields;
  }

  // Through forUser when the manager has it, so the caller's own keys, fallback rules and tier apply.
  function scoped(caller: OpenAIHandlerCaller): Pick<LLMManager, 'chat' | 'stream' | 'embed'> {
    if (!llm.forUser) return llm;
    const view = llm.forUser(caller.userId, caller.tier === undefined ? {} : { tier: caller.tier });
    return { chat: (request) => view.chat(request), stream: (request) => view.stream(request), embed: (request) => view.embed(request) };
  }

  async function chatCompletions(request: Request, caller: OpenAIHandlerCaller): Promise<Response> {
    const body = parseBody(chatCompletionBodySchema, await readJsonBody(request, maxBodyBytes));
    const chatRequest: ChatRequest = { ...toChatRequest(body), ...routingFields(caller, body.model, request.signal) };
    const created = Math.floor(Date.now() / 1000);
    if (body.stream) {
      const stream = scoped(caller).stream(chatRequest);
      const id = `chatcmpl-${crypto.randomUUID()}`;
      return streamChatCompletion(stream, { id, created, model: body.model, includeUsage: body.stream_options?.include_usage === true }, { 'x-request-id': id });
    }
    const result = await scoped(caller).chat(chatRequest);
    return json(toChatCompletion(result, created), { 'x-request-id': result.requestId });
  }

  async function embeddings(request: Request, caller: OpenAIHandlerCaller): Promise<Response> {
    const body = parseBody(embeddingBodySchema, await readJsonBody(request, maxBodyBytes));
    const embedRequest: EmbedRequest = { ...toEmbedRequest(body), ...routingFields(caller, body.model, request.signal) };
    const result = await scoped(caller).embed(embedRequest);
    return json(toEmbeddingList(result, body.encoding_format ?? 'float'));
  }

  async function listModels(): Promise<Response> {
    const models = await llm.models();
    return json({
      object: 'list',
      data: models.map((model) => ({ id: model.id, object: 'model', created: 0, owned_by: model.provider })),
    });
  }

  async function retrieveModel(id: string): Promise<Response> {
    const model = (await llm.models()).find((entry) => entry.id === id);
    if (!model) return simpleErrorResponse(404, `The model '${id}' does not exist`, 'invalid_request_error', 'model_not_found');
    return json({ id: model.id, object: 'model', created: 0, owned_by: model.provider });
  }

  return async function handle(request: Request): Promise<Response> {
    const path = new URL(request.url).pathname;
    if (!path.startsWith(`${basePath}/`)) return simpleErrorResponse(404, `Unknown path ${path}`, 'invalid_request_error', 'not_found');
    const route = path.slice(basePath.length).replace(/\/+$/, '');
    const routes: Record<string, string> = { '/chat/completions': 'POST', '/embeddings': 'POST', '/models': 'GET' };
    const modelId = route.startsWith('/models/') ? decodeURIComponent(route.slice('/models/'.length)) : undefined;
    const method = modelId !== undefined ? 'GET' : routes[route];
    if (method === undefined) return simpleErrorResponse(404, `Unknown path ${path}`, 'invalid_request_error', 'not_found');
    if (request.method !== method) {
      return simpleErrorResponse(405, `${request.method} is not allowed on ${path}`, 'invalid_request_error', 'method_not_allowed', { allow: method });
    }
    const caller = await authenticate(request);
    if (caller instanceof Response) return caller;
    try {
      if (modelId !== undefined) return await retrieveModel(modelId);
      if (route === '/models') return await listModels();
      if (route === '/embeddings') return await embeddings(request, caller);
      return await chatCompletions(request, caller);
    } catch (error) {
      return errorResponse(toOpenAIError(error));
    }
  };
}
