import { describe, expect, it } from 'vitest';
import { collectParts, StreamResultCollector } from '../../src/manager/stream-result-collector';
import type { ProviderStreamPart } from '../../src/spec/stream';

const usage = { inputTokens: 3, outputTokens: 200, totalTokens: 203 };

function longStream(): ProviderStreamPart[] {
  const parts: ProviderStreamPart[] = [{ type: 'response-metadata', responseId: 'chatcmpl-1', model: 'gpt-4.1-nano' }];
  for (let index = 0; index < 300; index++) {
    parts.push({ type: 'text-delta', text: `t${index} ` });
    if (index % 100 === 0) parts.push({ type: 'reasoning-delta', text: `r${index};` });
  }
  parts.push({ type: 'response-metadata', responseId: 'later-id', model: 'later-model' });
  parts.push({ type: 'tool-call-delta', id: 'call_1', name: 'lookup', argumentsDelta: '{"q":1}' });
  parts.push({ type: 'tool-call', toolCall: { id: 'call_1', name: 'lookup', arguments: { q: 1 }, rawArguments: '{"q":1}' } });
  parts.push({ type: 'usage', usage });
  parts.push({ type: 'finish', finishReason: 'tool-calls', rawFinishReason: 'tool_calls', usage });
  return parts;
}

describe('StreamResultCollector', () => {
  it('folds a stream into the result fields', () => {
    const parts = longStream();
    const result = collectParts(parts);
    expect(result.text).toBe(Array.from({ length: 300 }, (_, index) => `t${index} `).join(''));
    expect(result.reasoning).toBe('r0;r100;r200;');
    expect(result.toolCalls).toEqual([{ id: 'call_1', name: 'lookup', arguments: { q: 1 }, rawArguments: '{"q":1}' }]);
    // The first metadata wins.
    expect(result.responseId).toBe('chatcmpl-1');
    expect(result.model).toBe('gpt-4.1-nano');
    expect(result.finishReason).toBe('tool-calls');
    expect(result.rawFinishReason).toBe('tool_calls');
    expect(result.usage).toBe(usage);
  });

  it('gives the same result fed batch by batch, with splice parts among them ignored', () => {
    const parts = longStream();
    const collector = new StreamResultCollector();
    for (let start = 0; start < parts.length; start += 37) {
      collector.add(parts.slice(start, start + 37));
      collector.add([{ type: 'splice', textOffset: 0, contentParts: 0, from: 'a:m', to: 'b:m', errorClass: 'NetworkError', errorMessage: 'cut' }]);
    }
    expect(collector.result()).toEqual(collectParts(parts));
  });

  it('reports an unfinished stream as such, without reasoning or ids it never saw', () => {
    const collector = new StreamResultCollector();
    collector.add([{ type: 'text-delta', text: 'partial' }]);
    expect(collector.result()).toEqual({
      text: 'partial', toolCalls: [], finishReason: 'other', usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0, estimated: true },
    });
  });
});
