// Next.js App Router: the OpenAI API under /api/v1 (chat completions, embeddings, models), served by
// llm-switchyard. Point any OpenAI client at `https://your-app.example/api/v1` with a token from
// SWITCHYARD_CLIENT_TOKENS. Copy this file to app/api/v1/[...path]/route.ts.
//   OPENAI_API_KEY=sk-…  SWITCHYARD_CLIENT_TOKENS="tok_alice:alice,tok_bob:bob"  next dev
// Without OPENAI_API_KEY the mock provider answers, so the route works before you have a key.
import { createLLMManager, type LanguageModelProvider, type LLMManager } from 'llm-switchyard';
import { createOpenAIHandler } from 'llm-switchyard/interop';
import { createOpenAI } from 'llm-switchyard/providers';
import { createMockProvider } from 'llm-switchyard/testing';

// The Node.js runtime gets the pooled undici transport; 'edge' works too (the package is web-standard),
// but then limits and usage live per edge isolate unless you give the manager shared state and storage.
export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

function createManager(): LLMManager {
  const apiKey = process.env.OPENAI_API_KEY;
  const providers: LanguageModelProvider[] = apiKey
    ? [createOpenAI({ apiKey, baseUrl: process.env.OPENAI_BASE_URL })]
    : [createMockProvider({ id: 'mock' })];
  return createLLMManager({
    providers,
    limits: { tiers: { free: { requestsPerHour: 50, tokensPerDay: 100_000 } }, concurrency: { perUser: 3 } },
    // storage: createSqlStorage(...) for a ledger that survives restarts (see docs/storage/).
  });
}

// One manager per server process. `next dev` re-evaluates route modules on every edit; keeping the manager
// on globalThis stops each reload from starting another one (with its own limits and timers).
const shared = globalThis as typeof globalThis & { switchyardManager?: LLMManager };
const llm = (shared.switchyardManager ??= createManager());

const tokens = new Map(
  (process.env.SWITCHYARD_CLIENT_TOKENS ?? '')
    .split(',')
    .map((pair) => pair.trim().split(':'))
    .filter((pair): pair is [string, string] => pair.length === 2 && pair[0] !== '' && pair[1] !== ''),
);

const handler = createOpenAIHandler(llm, {
  basePath: '/api/v1', // where this route is mounted
  // Replace with your own lookup (a hashed API token in your database, or the session cookie).
  authenticate: (request) => {
    const userId = tokens.get(request.headers.get('authorization')?.replace(/^Bearer /, '') ?? '');
    return userId ? { userId, tier: 'free' } : null; // null answers 401
  },
  feature: 'nextjs-openai-api',
});

// Next.js calls these with the web Request; the handler routes on the path below basePath.
export const GET = handler;
export const POST = handler;
