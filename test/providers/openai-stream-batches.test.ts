// The OpenAI stream hands parts on one batch per network read, except that the first content goes out
// as soon as it is parsed: a first read may hold a whole short answer, and the time to the first token is
// what a user sees.
import { describe, expect, it } from 'vitest';
import { partBatches } from '../../src/http/part-batches';
import { createOpenAI } from '../../src/providers/openai';
import type { ProviderStreamPart } from '../../src/spec/stream';

const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
  `data: ${JSON.stringify({ id: 'chatcmpl-1', model: 'gpt-4.1-nano', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;

// The whole answer in one body chunk, as when it all arrived before the first read.
const body = [chunk({ role: 'assistant', content: '' }), chunk({ content: 'Hel' }), chunk({ content: 'lo' }), chunk({}, 'stop'), 'data: [DONE]\n\n'].join('');
const oneRead: typeof fetch = async () => new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });

describe('OpenAI stream batches', () => {
  it('yields the first content at once, then the rest of the read as one batch', async () => {
    const provider = createOpenAI({ apiKey: 'sk-test-0123456789abcdefghij' });
    const stream = provider.stream({ model: 'gpt-4.1-nano', messages: [{ role: 'user', content: 'Hi' }] }, { fetch: oneRead });
    const batches: ProviderStreamPart[][] = [];
    const iterator = (stream as unknown as { [partBatches](): AsyncIterator<ProviderStreamPart[]> })[partBatches]();
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) batches.push(next.value);
    expect(batches[0]!.map((part) => part.type)).toEqual(['response-metadata', 'text-delta']);
    expect(batches[1]!.map((part) => part.type)).toEqual(['text-delta']);
    expect(batches.at(-1)!.at(-1)).toMatchObject({ type: 'finish', finishReason: 'stop' });
    const text = batches.flat().flatMap((part) => (part.type === 'text-delta' ? [part.text] : [])).join('');
    expect(text).toBe('Hello');
  });
});
