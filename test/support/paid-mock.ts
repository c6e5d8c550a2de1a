// A paid (non-local) mock provider whose every call costs exactly the same, known amount: the reply
// reports the manager's own input estimate and `maxTokens` output tokens, so the amount the manager
// reserves before the call (input estimate + maxTokens at the output price) equals the amount it
// settles after it. Credit for N calls then admits exactly N, however many race.
import { estimateChatTokens } from '../../src/governance/token-estimate';
import type { ChatRequest } from '../../src/spec/request';
import { createMockProvider, type MockProvider, type MockProviderOptions } from '../../src/testing';

/** Output tokens every paid call asks for and reports. */
export const paidOutputTokens = 50;
/** USD per million tokens: 2 µ$ per input token, 8 µ$ per output token (whole micro-dollars, no rounding). */
export const paidPricing = { overrides: { 'paid:*': { inputPerMillion: 2, outputPerMillion: 8 } } };

/** The request every paid call sends (identical messages, so identical cost). */
export function paidRequest(userId: string, extra: Partial<ChatRequest> = {}): ChatRequest {
  return { model: 'paid:metered', messages: [{ role: 'user', content: 'What does a metered call cost?' }], maxTokens: paidOutputTokens, userId, ...extra };
}

/** What one paid call costs, micro-dollars. */
export function paidCallCostMicroUsd(): number {
  const inputTokens = estimateChatTokens(paidRequest('anyone'));
  return inputTokens * 2 + paidOutputTokens * 8;
}

/** The paid provider (`id: 'paid'`, managed key). */
export function createPaidMock(options: MockProviderOptions = {}): MockProvider {
  return createMockProvider({
    id: 'paid',
    local: false,
    apiKey: 'sk-test-managed-key-0000',
    replies: (record) => ({
      text: `paid answer #${record.index}`,
      usage: { inputTokens: estimateChatTokens(record.call), outputTokens: record.call.maxTokens ?? paidOutputTokens },
    }),
    ...options,
  });
}
