// A Cloudflare Worker that serves the OpenAI API (`/v1/chat/completions`, `/v1/embeddings`, `/v1/models`)
// on top of llm-switchyard: clients use any OpenAI SDK with a token you gave them; the Worker maps the token
// to a user, applies that user's limits and books usage, and calls the upstream with *your* key.
//   npx wrangler dev           (see wrangler.toml; secrets: UPSTREAM_API_KEY, CLIENT_TOKENS)
// Without UPSTREAM_API_KEY the mock provider answers, so `wrangler dev` works offline.
import { createLLMManager, type LanguageModelProvider, type LLMManager } from 'llm-switchyard';
import { createOpenAIHandler } from 'llm-switchyard/interop';
import { createOpenAI } from 'llm-switchyard/providers';
import { createSqlStorage, fromCloudflareD1, type D1Database } from 'llm-switchyard/storage/sql';
import { createMockProvider } from 'llm-switchyard/testing';

export interface Env {
  /** Key for the upstream (a secret). Without it the mock provider answers. */
  UPSTREAM_API_KEY?: string;
  /** Any OpenAI-compatible endpoint (default `https://api.openai.com/v1`). */
  UPSTREAM_BASE_URL?: string;
  /** Who may call, as `token:userId` pairs separated by commas (a secret). */
  CLIENT_TOKENS?: string;
  /** Optional D1 database for the usage ledger; without it usage lives in the isolate's memory only. */
  DB?: D1Database;
}

/** The slice of the Workers `ExecutionContext` used here (`@cloudflare/workers-types` has the full one). */
interface WorkerContext {
  waitUntil(promise: Promise<unknown>): void;
}

interface Service {
  llm: LLMManager;
  handler: (request: Request) => Promise<Response>;
}

// Built on the first request (env is not available earlier) and reused by the isolate's later requests, so
// limits, health and the model list carry over between them.
let service: Service | undefined;

function serviceFor(env: Env): Service {
  if (service) return service;
  const provider: LanguageModelProvider = env.UPSTREAM_API_KEY
    ? createOpenAI({ apiKey: env.UPSTREAM_API_KEY, baseUrl: env.UPSTREAM_BASE_URL })
    : createMockProvider({ id: 'mock' });
  const tokens = new Map(
    (env.CLIENT_TOKENS ?? '').split(',').map((pair) => pair.trim().split(':')).filter((pair) => pair.length === 2 && pair[0] && pair[1]).map(([token, userId]) => [token!, userId!]),
  );
  const llm = createLLMManager({
    providers: [provider],
    storage: env.DB ? createSqlStorage({ dialect: 'sqlite', client: fromCloudflareD1(env.DB) }) : undefined,
    limits: { tiers: { free: { requestsPerHour: 100 } } }, // per isolate unless `state` is shared
  });
  const handler = createOpenAIHandler(llm, {
    authenticate: (request) => {
      const userId = tokens.get(request.headers.get('authorization')?.replace(/^Bearer /, '') ?? '');
      return userId ? { userId, tier: 'free' } : null; // null answers 401
    },
    feature: 'worker-openai-api',
  });
  service = { llm, handler };
  return service;
}

/**
 * Flushes the usage ledger once the response body has been sent (a stream books its usage at its end). A
 * client that disconnects never completes the body; its aborted record is written by the next flush.
 */
function flushAfterSending(response: Response, llm: LLMManager, context: WorkerContext): Response {
  if (!response.body) {
    context.waitUntil(llm.usage.flush());
    return response;
  }
  let sent!: () => void;
  context.waitUntil(new Promise<void>((resolve) => (sent = resolve)).then(() => llm.usage.flush()));
  const body = response.body.pipeThrough(new TransformStream({ flush: () => sent() }));
  return new Response(body, response);
}

export default {
  async fetch(request: Request, env: Env, context: WorkerContext): Promise<Response> {
    const { llm, handler } = serviceFor(env);
    return flushAfterSending(await handler(request), llm, context);
  },
};
