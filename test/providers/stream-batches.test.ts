// Every SSE provider hands parts on one batch per network read, the first content at once, so the layers
// above pay their asynchronous hop per read rather than per token. Recorded streams arrive here in one read
// (as when a whole short answer came before the first read) and in reads of a few bytes.
import { describe, expect, it } from 'vitest';
import { partBatches } from '../../src/http/part-batches';
import { createAnthropic } from '../../src/providers/anthropic';
import { createCohere } from '../../src/providers/cohere';
import { createGoogle } from '../../src/providers/google';
import { createOpenAI } from '../../src/providers/openai';
import { partBatchesOfEvents } from '../../src/providers/shared/part-batches-of-events';
import type { LanguageModelProvider } from '../../src/spec/provider';
import type { ProviderStreamPart } from '../../src/spec/stream';
import { bodyInReads } from '../support/body-in-reads';
import { framedFixture, type WireRecipe } from '../support/provider-fixtures';

const fetchOf = (text: string, size = 0): typeof fetch => async () =>
  new Response(bodyInReads(text, size), { status: 200, headers: { 'content-type': 'text/event-stream' } });

async function batchesOfStream(stream: AsyncIterable<ProviderStreamPart>): Promise<ProviderStreamPart[][]> {
  const iterator = (stream as unknown as { [partBatches](): AsyncIterator<ProviderStreamPart[]> })[partBatches]();
  const batches: ProviderStreamPart[][] = [];
  for (let next = await iterator.next(); !next.done; next = await iterator.next()) batches.push(next.value);
  return batches;
}

const isContent = (part: ProviderStreamPart) => part.type === 'text-delta' || part.type === 'reasoning-delta' || part.type === 'tool-call-delta' || part.type === 'tool-call';
const messages = [{ role: 'user' as const, content: 'Hello' }];

const providers: Array<{ name: string; fixture: string; recipe: WireRecipe; provider: LanguageModelProvider; model: string }> = [
  { name: 'Anthropic', fixture: 'anthropic/anthropic-text.chunks.txt', recipe: 'C', provider: createAnthropic({ apiKey: 'sk-ant-test-0123456789' }), model: 'claude-sonnet-4-5' },
  { name: 'Gemini', fixture: 'google/google-text.chunks.txt', recipe: 'D', provider: createGoogle({ apiKey: 'AIza-test-0123456789' }), model: 'gemini-2.5-flash' },
  { name: 'Cohere', fixture: 'cohere/cohere-text.chunks.txt', recipe: 'E', provider: createCohere({ apiKey: 'co-test-0123456789' }), model: 'command-a-03-2025' },
  {
    name: 'OpenAI Responses', fixture: 'openai/openai-reasoning-encrypted-content.1.chunks.txt', recipe: 'B',
    provider: createOpenAI({ apiKey: 'sk-test-0123456789abcdefghij', api: 'responses' }), model: 'gpt-5-nano',
  },
];

describe('SSE provider streams in batches', () => {
  for (const { name, fixture, recipe, provider, model } of providers) {
    it(`${name}: one read gives the parts up to the first content, then the rest together`, async () => {
      const text = framedFixture(fixture, recipe).join('');
      const batches = await batchesOfStream(provider.stream({ model, messages }, { fetch: fetchOf(text) }));
      // Read part by part through a body cut into 7-byte reads, the same stream gives the same parts.
      const parts: ProviderStreamPart[] = [];
      for await (const part of provider.stream({ model, messages }, { fetch: fetchOf(text, 7) })) parts.push(part);
      expect(batches.flat()).toEqual(parts);
      const firstContent = batches.flat().findIndex(isContent);
      expect(firstContent).toBeGreaterThanOrEqual(0);
      expect(batches[0]!.length).toBe(firstContent + 1);
      // Whatever the provider adds once the body has ended (a finish part, usage) comes in at most one more batch.
      expect(batches.length).toBeLessThanOrEqual(3);
      expect(batches.at(-1)!.at(-1)!.type).toBe('finish');
    });
  }
});

describe('partBatchesOfEvents', () => {
  const events = (...data: string[]) => data.map((line) => `data: ${line}\n\n`).join('');
  const text = (line: string): ProviderStreamPart => ({ type: 'text-delta', text: line });

  it('hands the parts before a failing event over before the failure', async () => {
    const batches: ProviderStreamPart[][] = [];
    const reading = (async () => {
      const generator = partBatchesOfEvents(bodyInReads(events('a', 'b', 'bad', 'c')), 'test', undefined, (event, parts) => {
        if (event.data === 'bad') throw new Error('garbage from the provider');
        parts.push(text(event.data));
      });
      for (let next = await generator.next(); !next.done; next = await generator.next()) batches.push(next.value);
    })();
    await expect(reading).rejects.toThrow('garbage from the provider');
    expect(batches).toEqual([[text('a')], [text('b')]]);
  });

  it('stops reading at the event that ends the stream and says so; a body that just ends says not', async () => {
    const handled: string[] = [];
    const handle = (event: { data: string }, parts: ProviderStreamPart[]) => {
      handled.push(event.data);
      parts.push(text(event.data));
      return event.data === 'end';
    };
    const ended = partBatchesOfEvents(bodyInReads(events('a', 'end', 'after')), 'test', undefined, handle);
    let next = await ended.next();
    const batches: ProviderStreamPart[][] = [];
    for (; !next.done; next = await ended.next()) batches.push(next.value);
    expect(next.value).toBe(true);
    expect(handled).toEqual(['a', 'end']);
    expect(batches.flat()).toEqual([text('a'), text('end')]);

    const cut = partBatchesOfEvents(bodyInReads(events('a', 'b')), 'test', undefined, handle);
    for (next = await cut.next(); !next.done; next = await cut.next()) void next.value;
    expect(next.value).toBe(false);
  });
});
