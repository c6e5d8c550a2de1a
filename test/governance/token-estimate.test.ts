import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  estimateChatTokens,
  estimateEmbeddingTokens,
  estimateTextTokens,
  estimateUsage,
  tokensPerImage,
  tokensPerMessage,
  tokensPerRequest,
} from '../../src/governance/token-estimate';

describe('token estimates', () => {
  it('counts about four characters per token plus per-message overhead', () => {
    expect(estimateTextTokens('')).toBe(0);
    expect(estimateTextTokens('abc')).toBe(1);
    expect(estimateTextTokens('x'.repeat(400))).toBe(100);
    const messages = [
      { role: 'system' as const, content: 'x'.repeat(40) },
      { role: 'user' as const, content: 'y'.repeat(80) },
    ];
    expect(estimateChatTokens({ messages })).toBe(tokensPerRequest + 2 * tokensPerMessage + 10 + 20);
  });

  it('counts images, tool calls, tool results and tool definitions (zod included)', () => {
    const base = estimateChatTokens({ messages: [{ role: 'user', content: [{ type: 'text', text: 'describe' }] }] });
    const withImage = estimateChatTokens({
      messages: [{ role: 'user', content: [{ type: 'text', text: 'describe' }, { type: 'image', image: 'https://example.com/a.png' }] }],
    });
    expect(withImage - base).toBe(tokensPerImage);
    const conversation = estimateChatTokens({
      messages: [
        { role: 'assistant', content: [{ type: 'tool-call', toolCallId: 'c1', toolName: 'weather', arguments: { city: 'Paris' } }] },
        { role: 'tool', toolCallId: 'c1', content: '{"temperature":21}' },
      ],
    });
    expect(conversation).toBeGreaterThan(tokensPerRequest + 2 * tokensPerMessage);
    const plainTool = estimateChatTokens({ messages: [], tools: [{ name: 'weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } }] });
    const zodTool = estimateChatTokens({ messages: [], tools: [{ name: 'weather', parameters: z.object({ city: z.string() }) }] });
    expect(plainTool).toBeGreaterThan(tokensPerRequest);
    expect(zodTool).toBeGreaterThan(tokensPerRequest);
  });

  it('estimates usage for providers that report none, flagged as estimated', () => {
    const usage = estimateUsage({ messages: [{ role: 'user', content: 'x'.repeat(40) }] }, {
      text: 'y'.repeat(40),
      reasoning: 'z'.repeat(20),
      toolCallArguments: ['{"a":1}'],
    });
    expect(usage).toEqual({ inputTokens: tokensPerRequest + tokensPerMessage + 10, outputTokens: 10 + 5 + 2, totalTokens: usage.inputTokens + 17, reasoningTokens: 5, estimated: true });
    expect(estimateEmbeddingTokens(['abcd', 'abcdefgh'])).toBe(3);
  });
});
