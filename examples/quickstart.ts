// The README's main example. Uses every provider whose key is in the environment, any local server it
// discovers (Ollama, LM Studio, …), and otherwise the mock provider; says which, and prints for each
// request who served it, the attempts, the tokens and the cost.
//   npm run example
import { createLLMManager, discoverLocalServers, type LanguageModelProvider } from 'llm-switchyard';
import {
  createAnthropic, createGoogle, createGroq, createLMStudio, createOllama, createOpenAI, createOpenRouter,
} from 'llm-switchyard/providers';
import { createMockProvider } from 'llm-switchyard/testing';

const providers: LanguageModelProvider[] = [];
const env = process.env;
if (env.OPENAI_API_KEY) providers.push(createOpenAI({ apiKey: env.OPENAI_API_KEY }));
if (env.ANTHROPIC_API_KEY) providers.push(createAnthropic({ apiKey: env.ANTHROPIC_API_KEY }));
if (env.GEMINI_API_KEY) providers.push(createGoogle({ apiKey: env.GEMINI_API_KEY }));
if (env.OPENROUTER_API_KEY) providers.push(createOpenRouter({ apiKey: env.OPENROUTER_API_KEY }));
if (env.GROQ_API_KEY) providers.push(createGroq({ apiKey: env.GROQ_API_KEY }));

// SWITCHYARD_*_PORT move the probes (the example's own test points them at a loopback stand-in).
const port = (name: string) => (env[name] ? Number(env[name]) : undefined);
const local = await discoverLocalServers({
  timeoutMs: 300,
  ports: { ollama: port('SWITCHYARD_OLLAMA_PORT'), lmstudio: port('SWITCHYARD_LMSTUDIO_PORT'), localai: port('SWITCHYARD_LOCALAI_PORT'), vllm: port('SWITCHYARD_VLLM_PORT') },
});
for (const server of local.servers) {
  const model = server.models.find((info) => !info.capabilities.embedding)?.model;
  if (!model) continue;
  if (server.kind === 'ollama') providers.push(createOllama({ baseUrl: server.baseUrl, defaultModel: model }));
  else providers.push(createLMStudio({ id: server.kind, baseUrl: `${server.baseUrl}/v1`, defaultModel: model }));
}

const usingMock = providers.length === 0;
if (usingMock) providers.push(createMockProvider({ id: 'mock', latencyMs: 5 }));
console.log(
  usingMock
    ? 'No API keys in the environment and no local server found: using the mock provider.'
    : `Using: ${providers.map((provider) => `${provider.id}${provider.local ? ' (local)' : ''}`).join(', ')}`,
);

const llm = createLLMManager({ providers, timeoutMs: 30_000 });

function report(label: string, result: Awaited<ReturnType<typeof llm.chat>>): void {
  console.log(`\n[${label}] served by ${result.provider}:${result.model} in ${result.latencyMs.toFixed(0)} ms`);
  for (const attempt of result.attempts) {
    console.log(`  attempt ${attempt.attemptNumber}: ${attempt.provider}:${attempt.model} ${attempt.status}${attempt.errorClass ? ` (${attempt.errorClass})` : ''}`);
  }
  console.log(`  tokens: ${result.usage.inputTokens} in / ${result.usage.outputTokens} out${result.usage.estimated ? ' (estimated)' : ''}`);
  console.log(`  cost: $${result.cost.usd.toFixed(6)}${result.cost.priced ? '' : ' (no price known)'}`);
}

const answer = await llm.chat({
  messages: [{ role: 'user', content: 'In one sentence: why do LLM apps need fallback?' }],
  userId: 'demo-user',
  feature: 'quickstart',
});
console.log(answer.text);
report('chat', answer);

const stream = llm.stream({
  messages: [{ role: 'user', content: 'Count from one to five.' }],
  userId: 'demo-user',
  feature: 'quickstart',
});
process.stdout.write('\n');
for await (const part of stream) {
  if (part.type === 'text-delta') process.stdout.write(part.text);
  if (part.type === 'error') console.error(`\nstream failed: ${part.error.message}`);
}
report('stream', await stream.result);

await llm.close();
