import { describe, expect, it } from 'vitest';
import { ServerError } from '../../src/errors/server-error';
import { recordStream, replayStream } from '../../src/cache/stream-cache';
import type { ProviderStreamPart } from '../../src/spec/stream';

const parts: ProviderStreamPart[] = [
  { type: 'response-metadata', responseId: 'resp_1', model: 'gpt-4o-mini' },
  { type: 'reasoning-delta', text: 'The user wants the weather.' },
  { type: 'text-delta', text: 'Let me ' },
  { type: 'text-delta', text: 'check.' },
  { type: 'tool-call-delta', id: 'call_1', name: 'weather', argumentsDelta: '{"city":' },
  { type: 'tool-call-delta', id: 'call_1', name: 'weather', argumentsDelta: '"Paris"}' },
  { type: 'tool-call', toolCall: { id: 'call_1', name: 'weather', arguments: { city: 'Paris' }, rawArguments: '{"city":"Paris"}' } },
  { type: 'usage', usage: { inputTokens: 40, outputTokens: 12, totalTokens: 52, reasoningTokens: 6 } },
  { type: 'finish', finishReason: 'tool-calls', rawFinishReason: 'tool_calls', usage: { inputTokens: 40, outputTokens: 12, totalTokens: 52, reasoningTokens: 6 } },
];

async function* source(items: ProviderStreamPart[], failAfter?: number): AsyncGenerator<ProviderStreamPart> {
  for (const [index, part] of items.entries()) {
    if (failAfter !== undefined && index === failAfter) throw new ServerError('stream broke');
    yield structuredClone(part);
  }
}

async function collect(stream: AsyncIterable<ProviderStreamPart>): Promise<ProviderStreamPart[]> {
  const seen: ProviderStreamPart[] = [];
  for await (const part of stream) seen.push(part);
  return seen;
}

describe('stream recording and replay', () => {
  it('records a successful stream and replays exactly the same parts, reasoning and tool calls included', async () => {
    let recorded: ProviderStreamPart[] | undefined;
    const passedThrough = await collect(recordStream(source(parts), (value) => (recorded = value)));
    expect(passedThrough).toEqual(parts);
    expect(recorded).toEqual(parts);
    expect(await collect(replayStream(recorded!))).toEqual(parts);
    // Replays are independent copies.
    const replayed = await collect(replayStream(recorded!));
    (replayed[2] as { text: string }).text = 'mutated';
    expect(await collect(replayStream(recorded!))).toEqual(parts);
  });

  it('never hands over a stream that failed', async () => {
    let recorded: ProviderStreamPart[] | undefined;
    await expect(collect(recordStream(source(parts, 5), (value) => (recorded = value)))).rejects.toBeInstanceOf(ServerError);
    expect(recorded).toBeUndefined();
  });

  it('never hands over a stream the consumer left before its finish part', async () => {
    let recorded: ProviderStreamPart[] | undefined;
    for await (const part of recordStream(source(parts), (value) => (recorded = value))) {
      if (part.type === 'text-delta') break;
    }
    expect(recorded).toBeUndefined();
  });

  it('never hands over a stream that ended without a finish part', async () => {
    let recorded: ProviderStreamPart[] | undefined;
    await collect(recordStream(source(parts.slice(0, -1)), (value) => (recorded = value)));
    expect(recorded).toBeUndefined();
  });
});
