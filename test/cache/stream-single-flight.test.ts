import { describe, expect, it } from 'vitest';
import { AbortedError } from '../../src/errors/aborted-error';
import { ServerError } from '../../src/errors/server-error';
import { createStreamSingleFlight } from '../../src/cache/stream-single-flight';
import type { ProviderStreamPart } from '../../src/spec/stream';

const parts: ProviderStreamPart[] = [
  { type: 'reasoning-delta', text: 'thinking' },
  { type: 'text-delta', text: 'Hello' },
  { type: 'text-delta', text: ' world' },
  { type: 'tool-call', toolCall: { id: 'c1', name: 'f', arguments: {}, rawArguments: '{}' } },
  { type: 'finish', finishReason: 'stop', usage: { inputTokens: 3, outputTokens: 2, totalTokens: 5 } },
];

/** A provider stream that yields one part each time `step` is called. */
function steppedSource(items: ProviderStreamPart[], failAt?: number) {
  let started = 0;
  let release: (() => void) | undefined;
  let seenSignal: AbortSignal | undefined;
  const step = () => release?.();
  const start = (signal: AbortSignal) => {
    seenSignal = signal;
    started += 1;
    return (async function* () {
      for (const [index, part] of items.entries()) {
        await new Promise<void>((resolve) => (release = resolve));
        if (index === failAt) throw new ServerError('upstream broke');
        yield part;
      }
    })();
  };
  return { start, step, started: () => started, signal: () => seenSignal };
}

async function collect(stream: AsyncIterable<ProviderStreamPart>): Promise<ProviderStreamPart[]> {
  const seen: ProviderStreamPart[] = [];
  for await (const part of stream) seen.push(part);
  return seen;
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('stream single flight', () => {
  it('concurrent identical streams share one provider stream; late joiners get every part', async () => {
    const flights = createStreamSingleFlight();
    const source = steppedSource(parts);
    const early = Array.from({ length: 10 }, () => collect(flights.run('k', source.start)));
    await tick();
    source.step();
    await tick();
    source.step();
    await tick();
    const late = collect(flights.run('k', source.start));
    for (let index = 2; index < parts.length; index += 1) {
      await tick();
      source.step();
    }
    const results = await Promise.all([...early, late]);
    expect(source.started()).toBe(1);
    for (const result of results) expect(result).toEqual(parts);
    expect(flights.size).toBe(0);
  });

  it('shares a failure after the parts before it, and does not keep it', async () => {
    const flights = createStreamSingleFlight();
    const source = steppedSource(parts, 2);
    const readers = [0, 1].map(async () => {
      const seen: ProviderStreamPart[] = [];
      try {
        for await (const part of flights.run('k', source.start)) seen.push(part);
      } catch (error) {
        return { seen, error };
      }
      return { seen, error: undefined };
    });
    for (let index = 0; index < 3; index += 1) {
      await tick();
      source.step();
    }
    for (const outcome of await Promise.all(readers)) {
      expect(outcome.seen).toEqual(parts.slice(0, 2));
      expect(outcome.error).toBeInstanceOf(ServerError);
    }
    expect(flights.size).toBe(0);
  });

  it('one reader leaving does not stop the others; the provider stream aborts when all have left', async () => {
    const flights = createStreamSingleFlight();
    const source = steppedSource(parts);
    const controller = new AbortController();
    const leaving = (async () => {
      const seen: ProviderStreamPart[] = [];
      try {
        for await (const part of flights.run('k', source.start, { signal: controller.signal })) seen.push(part);
      } catch (error) {
        return error;
      }
      return seen;
    })();
    const staying = flights.run('k', source.start);
    const first = staying.next();
    await tick();
    source.step();
    expect((await first).value).toEqual(parts[0]);
    controller.abort();
    expect(await leaving).toBeInstanceOf(AbortedError);
    expect(source.signal()?.aborted).toBe(false);
    await staying.return(undefined);
    expect(source.signal()?.aborted).toBe(true);
    expect(flights.size).toBe(0);
  });
});
