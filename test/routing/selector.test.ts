import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/errors/configuration-error';
import { createCircuitBreaker } from '../../src/routing/circuit-breaker';
import { createHealthTracker } from '../../src/routing/health-tracker';
import { createSelector, isModelAllowed } from '../../src/routing/selector';
import { detectTask } from '../../src/routing/task-detection';
import { weightsFor } from '../../src/routing/power-levels';
import { estimatePromptTokens, requirementsOf } from '../../src/routing/candidate-score';
import type { Message } from '../../src/spec/message';
import { testCandidate } from './support/test-adapter';
import { createTestClock } from './support/test-clock';

const chat: Message[] = [{ role: 'user', content: 'Hi there, how are you?' }];
const cheap = testCandidate('openai', 'gpt-4o-mini', { pricing: { inputPerMillion: 0.15, outputPerMillion: 0.6 }, contextWindow: 128_000 });
const premium = testCandidate('anthropic', 'claude-sonnet-4-5', { pricing: { inputPerMillion: 3, outputPerMillion: 15 }, contextWindow: 200_000 });
const local = testCandidate('ollama', 'llama3.2', { keySource: 'local', local: true, contextWindow: 8_192 });
const names = (list: Array<{ provider: string; model: string }>) => list.map((candidate) => `${candidate.provider}:${candidate.model}`);

describe('task detection', () => {
  it.each([
    [[{ role: 'user', content: 'Why does this throw?\n```ts\nconst x = foo();\n```' }], 'code'],
    [[{ role: 'system', content: 'Answer using only the context.' }, { role: 'user', content: 'Context: the invoice is due in May.\n\nWhen is it due?' }], 'rag'],
    [[{ role: 'user', content: 'Write a short poem about autumn leaves' }], 'creative'],
    [[{ role: 'user', content: 'Compare the quarterly revenue trend and analyze the pros and cons' }], 'analysis'],
    [[{ role: 'user', content: 'Good morning! How was your weekend?' }], 'chat'],
  ] as Array<[Message[], string]>)('detects %#', (messages, task) => {
    expect(detectTask({ messages }).task).toBe(task);
  });

  it('counts tools and tool results', () => {
    const detection = detectTask({ messages: [{ role: 'user', content: 'go' }], tools: [{ name: 'run_python', parameters: { type: 'object' } }, { name: 'execute_shell', parameters: { type: 'object' } }] });
    expect(detection.task).toBe('code');
    expect(detection.signals).toContain('tool:run_python');
  });
});

describe('requirements', () => {
  it('derives capabilities and a context estimate from the request', () => {
    const requirements = requirementsOf({
      messages: [{ role: 'user', content: [{ type: 'text', text: 'what is this?' }, { type: 'image', image: 'https://example.com/a.png' }] }],
      tools: [{ name: 'lookup', parameters: { type: 'object' } }],
      responseFormat: { type: 'json' },
      maxTokens: 500,
    });
    expect(requirements).toMatchObject({ tools: true, vision: true, json: true, embedding: false });
    expect(requirements.contextTokens).toBeGreaterThan(1_000);
    expect(estimatePromptTokens([{ role: 'user', content: 'x'.repeat(4_000) }])).toBe(1_004);
  });
});

describe('selector', () => {
  it('skips in the middle of the list, keeps the rest in order, scores them by their own position, and never hands back the input list', () => {
    const noTools = testCandidate('groq', 'llama-no-tools', { capabilities: { tools: false, vision: false, json: true, embedding: false, reasoning: false } });
    const candidates = [cheap, noTools, premium, local];
    const tools = [{ name: 'lookup', parameters: { type: 'object' } }];
    const breaker = createCircuitBreaker({ failureThreshold: 1 });
    breaker.recordFailure(premium);
    const selection = createSelector({ breaker }).select({ candidates, messages: chat, tools });
    expect(names(selection.candidates)).toEqual(['openai:gpt-4o-mini', 'ollama:llama3.2', 'anthropic:claude-sonnet-4-5']);
    expect(selection.explanation.candidates.map((item) => [item.candidate, item.decision])).toEqual([
      ['openai:gpt-4o-mini', 'selected'],
      ['ollama:llama3.2', 'fallback'],
      ['anthropic:claude-sonnet-4-5', 'fallback'],
      ['groq:llama-no-tools', 'skipped'],
    ]);
    const premiumDecision = selection.explanation.candidates.find((item) => item.candidate === 'anthropic:claude-sonnet-4-5')!;
    expect(premiumDecision.reason).toContain('circuit open');
    expect(premiumDecision.scores?.health).toBe(0);

    const plain = createSelector().select({ candidates, messages: chat });
    expect(plain.candidates).not.toBe(candidates);
    plain.candidates.pop();
    expect(candidates).toHaveLength(4);
  });

  it('keeps the given order under priority and explains every candidate', () => {
    const selection = createSelector().select({ candidates: [premium, cheap, local], messages: chat });
    expect(names(selection.candidates)).toEqual(['anthropic:claude-sonnet-4-5', 'openai:gpt-4o-mini', 'ollama:llama3.2']);
    expect(selection.explanation.candidates.map((item) => [item.candidate, item.decision])).toEqual([
      ['anthropic:claude-sonnet-4-5', 'selected'],
      ['openai:gpt-4o-mini', 'fallback'],
      ['ollama:llama3.2', 'fallback'],
    ]);
    expect(selection.explanation).toMatchObject({ strategy: 'priority', powerLevel: 'balanced', task: 'chat', taskSource: 'detected' });
    for (const item of selection.explanation.candidates) {
      expect(item.score).toBeGreaterThanOrEqual(0);
      expect(item.score).toBeLessThanOrEqual(100);
    }
  });

  it('filters local-only privacy, tier allow-lists, missing keys and capabilities, with reasons', () => {
    const noKey = testCandidate('groq', 'llama-3.3-70b', { keyAvailable: false });
    const noTools = testCandidate('cohere', 'command-light', { capabilities: { tools: false, vision: false, json: false, embedding: false, reasoning: false } });
    const selector = createSelector();
    const tools = [{ name: 'lookup', parameters: { type: 'object' } }];
    const privateSelection = selector.select({ candidates: [premium, local], messages: chat, privacy: 'local-only' });
    expect(names(privateSelection.candidates)).toEqual(['ollama:llama3.2']);
    expect(privateSelection.explanation.candidates[1]).toMatchObject({ candidate: 'anthropic:claude-sonnet-4-5', decision: 'skipped', reason: expect.stringContaining('local-only') });

    const tier = selector.select({ candidates: [premium, cheap, noKey, noTools], messages: chat, tools, allowedModels: ['openai:*', 'command-*', 'llama-3.3-70b'] });
    expect(names(tier.candidates)).toEqual(['openai:gpt-4o-mini']);
    const reasons = Object.fromEntries(tier.explanation.candidates.map((item) => [item.candidate, item.reason]));
    expect(reasons['anthropic:claude-sonnet-4-5']).toContain('allowed');
    expect(reasons['groq:llama-3.3-70b']).toContain('no usable key');
    expect(reasons['cohere:command-light']).toContain('tools');
  });

  it('skips models whose context window cannot hold the request', () => {
    const long: Message[] = [{ role: 'user', content: 'word '.repeat(12_000) }];
    const selection = createSelector().select({ candidates: [local, cheap], messages: long });
    expect(names(selection.candidates)).toEqual(['openai:gpt-4o-mini']);
    expect(selection.explanation.candidates[1]!.reason).toMatch(/context window 8192 < ~\d+ tokens needed/);
  });

  it('cost strategy prefers free and cheap, precision prefers quality, eco prefers cost', () => {
    const selector = createSelector();
    expect(names(selector.select({ candidates: [premium, cheap, local], messages: chat, strategy: 'cost' }).candidates)).toEqual(['ollama:llama3.2', 'openai:gpt-4o-mini', 'anthropic:claude-sonnet-4-5']);
    const precise = selector.select({ candidates: [cheap, premium], messages: [{ role: 'user', content: 'Refactor this function and fix the bug: ```js\nfunction f() {}\n```' }], strategy: 'balanced', powerLevel: 'precision' });
    expect(precise.explanation.task).toBe('code');
    expect(names(precise.candidates)[0]).toBe('anthropic:claude-sonnet-4-5');
    const eco = selector.select({ candidates: [premium, cheap], messages: chat, strategy: 'balanced', powerLevel: 'eco' });
    expect(names(eco.candidates)[0]).toBe('openai:gpt-4o-mini');
    expect(weightsFor('eco').cost).toBeGreaterThan(weightsFor('precision').cost);
  });

  it('latency strategy uses the health EWMA; an open circuit goes last with health 0', () => {
    const clock = createTestClock();
    const health = createHealthTracker({ clock });
    const breaker = createCircuitBreaker({ clock, failureThreshold: 1 });
    health.recordSuccess(premium, 300);
    health.recordSuccess(cheap, 900);
    const selector = createSelector({ health, breaker });
    expect(names(selector.select({ candidates: [cheap, premium], messages: chat, strategy: 'latency' }).candidates)).toEqual(['anthropic:claude-sonnet-4-5', 'openai:gpt-4o-mini']);
    breaker.recordFailure(premium);
    const selection = selector.select({ candidates: [cheap, premium], messages: chat, strategy: 'latency' });
    expect(names(selection.candidates)).toEqual(['openai:gpt-4o-mini', 'anthropic:claude-sonnet-4-5']);
    expect(selection.explanation.candidates[1]).toMatchObject({ scores: { health: 0 }, reason: expect.stringContaining('circuit open') });
  });

  it('round-robin rotates among equivalent deployments and keeps other groups in order', () => {
    const keyA = testCandidate('openai', 'gpt-4o-mini', { keyId: 'a' });
    const keyB = testCandidate('openai', 'gpt-4o-mini', { keyId: 'b' });
    const azure = testCandidate('azure', 'gpt-4o-mini', { keyId: 'c' });
    const selector = createSelector({ strategy: 'round-robin' });
    const firsts = [0, 1, 2, 3].map(() => selector.select({ candidates: [keyA, keyB, azure, local], messages: chat }).candidates.map((candidate) => candidate.keyId ?? candidate.provider));
    expect(firsts).toEqual([
      ['a', 'b', 'c', 'ollama'],
      ['b', 'c', 'a', 'ollama'],
      ['c', 'a', 'b', 'ollama'],
      ['a', 'b', 'c', 'ollama'],
    ]);
  });

  it('weighted-random draws equivalent deployments in proportion to weight', () => {
    const heavy = testCandidate('openai', 'gpt-4o-mini', { keyId: 'heavy', weight: 9 });
    const light = testCandidate('openai', 'gpt-4o-mini', { keyId: 'light', weight: 1 });
    let seed = 42;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const selector = createSelector({ strategy: 'weighted-random', random });
    let heavyFirst = 0;
    for (let index = 0; index < 1_000; index++) if (selector.select({ candidates: [light, heavy], messages: chat }).candidates[0]!.keyId === 'heavy') heavyFirst++;
    expect(heavyFirst).toBeGreaterThan(850);
    expect(heavyFirst).toBeLessThan(950);
  });

  it('task and weights can be overridden', () => {
    const selection = createSelector().select({ candidates: [cheap], messages: chat, task: 'analysis', weights: { cost: 0 } });
    expect(selection.explanation).toMatchObject({ task: 'analysis', taskSource: 'given' });
    expect(selection.explanation.weights.cost).toBe(0);
  });

  it('rejects an unknown strategy with a typed error', () => {
    expect(() => createSelector().select({ candidates: [cheap], messages: chat, strategy: 'fastest' as never })).toThrow(ConfigurationError);
  });

  it('matches allow-list entries', () => {
    expect(isModelAllowed(cheap, ['openai:gpt-4o*'])).toBe(true);
    expect(isModelAllowed(cheap, ['gpt-4o-mini'])).toBe(true);
    expect(isModelAllowed(cheap, ['anthropic:*'])).toBe(false);
    expect(isModelAllowed(cheap, ['*'])).toBe(true);
  });
});
