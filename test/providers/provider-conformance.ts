import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LLMError } from '../../src/errors/llm-error';
import type { ProviderChatCall, ProviderChatResult } from '../../src/spec/chat';
import type { LanguageModelProvider } from '../../src/spec/provider';
import type { ProviderStreamPart } from '../../src/spec/stream';
import type { FinishReason, Usage } from '../../src/spec/usage';
import { framedFixture, readFixture, startReplayServer, type ReplayServer, type WireRecipe } from '../support/provider-fixtures';

/** What a replayed recording must normalise to. Values are read off the recording itself. */
export interface ExpectedOutcome {
  /** Full answer text. */
  text?: string;
  /** Full reasoning text, when the recording has reasoning. */
  reasoning?: string;
  /** Tool calls in order; `id` optional. */
  toolCalls?: Array<{ id?: string; name: string; arguments: unknown }>;
  /** Normalised finish reason. */
  finishReason: FinishReason;
  /** Usage fields that must match (others unchecked). */
  usage: Partial<Usage>;
  /** Response id, when the recording has one. */
  responseId?: string;
}

/** One recording replayed through one adapter. */
export interface ProviderFixtureCase {
  /** Test title. */
  name: string;
  /** Fixture path relative to the fixtures folder. */
  fixture: string;
  /** Wire recipe from the fixtures README; `H` is a non-streaming JSON body (tested with `chat`). */
  recipe: WireRecipe | 'H';
  /** HTTP status to answer with (200 by default). */
  status?: number;
  /** Line ending for SSE framing (Gemini is also tested with CRLF). */
  lineEnding?: '\n' | '\r\n';
  /** Builds the adapter against the replay server. */
  createProvider(baseUrl: string): LanguageModelProvider;
  /** Overrides for the call (model, tools…). */
  call?: Partial<ProviderChatCall>;
  /** The normalised outcome, or the error class name the adapter must throw. */
  expected: ExpectedOutcome | { errorClass: string; retryable?: boolean; status?: number; retryAfterMs?: number };
  /** Checks on the request the adapter sent (path, headers, body). */
  checkRequest?(request: { url: string; headers: Record<string, unknown>; body: any }): void;
}

const baseCall: ProviderChatCall = { model: 'test-model', messages: [{ role: 'user', content: 'Hello' }] };

/** Collects a stream into the same shape as a chat result, checking the stream's invariants on the way. */
export async function collectStream(stream: AsyncIterable<ProviderStreamPart>): Promise<ProviderChatResult & { parts: ProviderStreamPart[] }> {
  const parts: ProviderStreamPart[] = [];
  for await (const part of stream) parts.push(part);
  const finish = parts.at(-1);
  expect(finish?.type, 'a stream ends with exactly one finish part').toBe('finish');
  expect(parts.filter((part) => part.type === 'finish')).toHaveLength(1);
  let text = '';
  let reasoning = '';
  const toolCalls: ProviderChatResult['toolCalls'] = [];
  const deltas = new Map<string, string>();
  let responseId: string | undefined;
  let model: string | undefined;
  for (const part of parts) {
    if (part.type === 'text-delta') text += part.text;
    else if (part.type === 'reasoning-delta') reasoning += part.text;
    else if (part.type === 'tool-call-delta') deltas.set(part.id, (deltas.get(part.id) ?? '') + part.argumentsDelta);
    else if (part.type === 'tool-call') toolCalls.push(part.toolCall);
    else if (part.type === 'response-metadata') {
      responseId ??= part.responseId;
      model ??= part.model;
    }
  }
  for (const call of toolCalls) {
    if (deltas.has(call.id)) expect(deltas.get(call.id), `deltas of ${call.name} add up to its arguments`).toBe(call.rawArguments);
  }
  const end = finish as Extract<ProviderStreamPart, { type: 'finish' }>;
  return {
    text, reasoning: reasoning || undefined, toolCalls, finishReason: end.finishReason, rawFinishReason: end.rawFinishReason,
    usage: end.usage, responseId, model, parts,
  };
}

function checkOutcome(result: ProviderChatResult, expected: ExpectedOutcome): void {
  if (expected.text !== undefined) expect(result.text).toBe(expected.text);
  if (expected.reasoning !== undefined) expect(result.reasoning ?? '').toBe(expected.reasoning);
  if (expected.toolCalls !== undefined) {
    expect(result.toolCalls.map((call) => ({ name: call.name, arguments: call.arguments }))).toEqual(
      expected.toolCalls.map((call) => ({ name: call.name, arguments: call.arguments })),
    );
    expected.toolCalls.forEach((call, index) => {
      if (call.id !== undefined) expect(result.toolCalls[index]?.id).toBe(call.id);
      expect(JSON.parse(result.toolCalls[index]!.rawArguments || '{}')).toEqual(call.arguments);
    });
  } else {
    expect(result.toolCalls).toEqual([]);
  }
  expect(result.finishReason).toBe(expected.finishReason);
  expect(result.usage).toMatchObject(expected.usage);
  expect(result.usage.totalTokens).toBe(result.usage.inputTokens + result.usage.outputTokens);
  if (expected.responseId !== undefined) expect(result.responseId).toBe(expected.responseId);
}

/** Replays every case through its adapter on a loopback server with the provider's real framing. */
export function describeProviderConformance(title: string, cases: ProviderFixtureCase[]): void {
  describe(`provider conformance: ${title}`, () => {
    let server: ReplayServer;
    beforeAll(async () => {
      server = await startReplayServer();
    });
    afterAll(async () => {
      await server.close();
    });

    for (const testCase of cases) {
      const splits = testCase.recipe === 'H' ? [undefined] : [undefined, 7];
      for (const splitPiecesAt of splits) {
        const label = splitPiecesAt ? `${testCase.name} (events split across reads)` : testCase.name;
        it(label, async () => {
          const body = testCase.recipe === 'H' ? readFixture(testCase.fixture) : framedFixture(testCase.fixture, testCase.recipe, testCase.lineEnding);
          server.enqueue({ status: testCase.status, body, splitPiecesAt });
          const before = server.requests.length;
          const provider = testCase.createProvider(server.url);
          const call = { ...baseCall, ...testCase.call };
          const context = { fetch: globalThis.fetch };
          const run = testCase.recipe === 'H' ? provider.chat(call, context) : collectStream(provider.stream(call, context));
          if ('errorClass' in testCase.expected) {
            const error = await run.then(() => undefined, (caught: unknown) => caught);
            expect(LLMError.isInstance(error), `expected an LLMError, got ${String(error)}`).toBe(true);
            const typed = error as LLMError;
            expect(typed.name).toBe(testCase.expected.errorClass);
            if (testCase.expected.retryable !== undefined) expect(typed.retryable).toBe(testCase.expected.retryable);
            if (testCase.expected.status !== undefined) expect(typed.status).toBe(testCase.expected.status);
            if (testCase.expected.retryAfterMs !== undefined) expect(typed.retryAfterMs).toBe(testCase.expected.retryAfterMs);
          } else {
            checkOutcome(await run, testCase.expected);
          }
          expect(server.requests.length).toBe(before + 1);
          testCase.checkRequest?.(server.requests.at(-1)!);
        });
      }
    }
  });
}
