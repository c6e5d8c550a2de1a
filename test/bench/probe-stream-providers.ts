// Ad-hoc: `taskset -c 0 node --import tsx test/bench/probe-stream-providers.ts` (after `npm run build`) prints, for
// each SSE wire format, the CPU per event of a ~3,000-event stream read in-process from memory in 16 KB reads (no
// network, so the per-event cost is all there is): raw fetch Response + TextDecoder + eventsource-parser +
// JSON.parse, the provider adapter alone, and the whole manager. The recorded fixture's content events are
// repeated to make the stream long. See docs/benchmarks.md.
import { createParser } from 'eventsource-parser';
import type { LLMManager } from '../../src/manager/create-llm-manager';
import type { LanguageModelProvider } from '../../src/spec/provider';
import { frameEvents, readChunkLines, type WireRecipe } from '../support/provider-fixtures';
import { core, providers } from './built-package';
import { median } from './harness';

interface Format {
  name: string;
  provider: LanguageModelProvider;
  model: string;
  recipe: WireRecipe;
  /** The recorded lines with the content in the middle repeated. */
  lines: string[];
}

const repeat = (lines: string[], from: number, to: number, times: number) => [
  ...lines.slice(0, from),
  ...Array.from({ length: times }, () => lines.slice(from, to)).flat(),
  ...lines.slice(to),
];
const openAILines = readChunkLines('openai/openai-text.chunks.txt');
const anthropicLines = readChunkLines('anthropic/anthropic-text.chunks.txt');
const googleLines = readChunkLines('google/google-text.chunks.txt');
const cohereLines = readChunkLines('cohere/cohere-text.chunks.txt');
const formats: Format[] = [
  { name: 'OpenAI Chat Completions', provider: providers.createOpenAI({ apiKey: 'sk-probe-0000000000000000', baseUrl: 'http://probe/v1' }), model: 'gpt-4.1-nano', recipe: 'A', lines: repeat(openAILines, 1, -2, 10) },
  { name: 'Anthropic Messages', provider: providers.createAnthropic({ apiKey: 'sk-ant-probe-000000', baseUrl: 'http://probe/v1' }), model: 'claude-sonnet-4-5', recipe: 'C', lines: repeat(anthropicLines, 3, 9, 500) },
  { name: 'Gemini', provider: providers.createGoogle({ apiKey: 'AIza-probe-000000', baseUrl: 'http://probe/v1beta' }), model: 'gemini-2.5-flash', recipe: 'D', lines: repeat(googleLines, 0, 2, 1500) },
  { name: 'Cohere v2', provider: providers.createCohere({ apiKey: 'co-probe-000000', baseUrl: 'http://probe/v2' }), model: 'command-a-03-2025', recipe: 'E', lines: repeat(cohereLines, 2, -2, 430) },
];

const readSize = 16 * 1024;
const messages = [{ role: 'user' as const, content: 'Hello' }];

for (const format of formats) {
  const bytes = new TextEncoder().encode(frameEvents(format.lines, format.recipe).join(''));
  const reads: Uint8Array[] = [];
  for (let offset = 0; offset < bytes.length; offset += readSize) reads.push(bytes.slice(offset, offset + readSize));
  const fetchFromMemory: typeof fetch = async () =>
    new Response(new ReadableStream<Uint8Array>({ start(controller) { for (const read of reads) controller.enqueue(read); controller.close(); } }), {
      status: 200, headers: { 'content-type': 'text/event-stream' },
    });
  let events = 0;
  const raw = async () => {
    const response = await fetchFromMemory('http://probe');
    events = 0;
    const parser = createParser({ onEvent(event) { if (event.data !== '[DONE]') { JSON.parse(event.data); events++; } } });
    const decoder = new TextDecoder();
    for await (const read of response.body as unknown as AsyncIterable<Uint8Array>) parser.feed(decoder.decode(read, { stream: true }));
  };
  const manager: LLMManager = core.createLLMManager({ providers: [format.provider], limits: { concurrency: { global: 64, perUser: 64 } }, fetch: fetchFromMemory });
  const variants: Record<string, () => Promise<unknown>> = {
    raw,
    adapter: async () => { for await (const part of format.provider.stream({ model: format.model, messages }, { fetch: fetchFromMemory })) void part; },
    manager: async () => { for await (const part of manager.stream({ model: `${format.provider.id}:${format.model}`, messages })) if (part.type === 'error') throw part.error; },
  };
  for (let index = 0; index < 30; index++) for (const variant of Object.values(variants)) await variant(); // warm-up
  const perEvent: Record<string, number[]> = {};
  for (let round = 0; round < 7; round++) {
    for (const [name, variant] of Object.entries(variants)) {
      const startedAt = performance.now();
      for (let index = 0; index < 20; index++) await variant();
      (perEvent[name] ??= []).push(((performance.now() - startedAt) * 1000) / 20 / events);
    }
  }
  await manager.close();
  const [rawCost, adapterCost, managerCost] = ['raw', 'adapter', 'manager'].map((name) => median(perEvent[name]!));
  console.log(
    `${format.name.padEnd(24)} ${String(events).padStart(5)} events | µs per event: raw ${rawCost!.toFixed(3)}, adapter ${adapterCost!.toFixed(3)}, ` +
      `manager ${managerCost!.toFixed(3)} | manager chunks/s ${(rawCost! / managerCost!).toFixed(3)} of raw`,
  );
}
