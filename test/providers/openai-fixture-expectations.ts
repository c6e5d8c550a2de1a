// Reads the expected outcome straight off a recorded Chat Completions fixture, independently of the
// adapter's code: text = joined content deltas, reasoning = joined reasoning deltas, tool calls = argument
// fragments joined per index, finish = first finish_reason, usage = the last usage object seen.
import type { ExpectedOutcome } from './provider-conformance';
import type { FinishReason, Usage } from '../../src/spec/usage';
import { readChunks, readFixture } from '../support/provider-fixtures';

const finishReasons: Record<string, FinishReason> = {
  stop: 'stop',
  length: 'length',
  tool_calls: 'tool-calls',
  function_call: 'tool-calls',
  content_filter: 'content-filter',
};

/** Usage as recorded: input = prompt_tokens; output = total − prompt (which includes xAI's separately counted reasoning). */
export function recordedUsage(usage: any): Partial<Usage> {
  const expected: Partial<Usage> = {
    inputTokens: usage.prompt_tokens,
    outputTokens: usage.total_tokens - usage.prompt_tokens,
    totalTokens: usage.total_tokens,
  };
  const cached = usage.prompt_tokens_details?.cached_tokens ?? usage.prompt_cache_hit_tokens;
  if (cached !== undefined) expected.cachedInputTokens = cached;
  const reasoning = usage.completion_tokens_details?.reasoning_tokens;
  if (reasoning !== undefined) expected.reasoningTokens = reasoning;
  return expected;
}

function contentPieces(content: unknown): { text: string; reasoning: string } {
  if (typeof content === 'string') return { text: content, reasoning: '' };
  let text = '';
  let reasoning = '';
  for (const part of (Array.isArray(content) ? content : []) as any[]) {
    if (part.type === 'text') text += part.text;
    if (part.type === 'thinking') for (const inner of part.thinking) reasoning += inner.text;
  }
  return { text, reasoning };
}

/** Parses an SSE file (recipe G) into its JSON payloads. */
export function payloadsOfRawStream(relativePath: string): any[] {
  return readFixture(relativePath)
    .split('\n')
    .filter((line) => line.startsWith('data: ') && line.trim() !== 'data: [DONE]')
    .map((line) => JSON.parse(line.slice('data: '.length)));
}

/** The expected outcome of a streamed recording (`*.chunks.txt`, or raw `.sse`). */
export function expectedFromChunks(relativePath: string): ExpectedOutcome {
  const chunks = relativePath.endsWith('.sse') ? payloadsOfRawStream(relativePath) : readChunks(relativePath);
  let text = '';
  let reasoning = '';
  let finish: string | undefined;
  let usage: any;
  let responseId: string | undefined;
  const calls = new Map<number, { name: string; arguments: string }>();
  for (const chunk of chunks) {
    if (!responseId && chunk.id) responseId = chunk.id;
    if (chunk.usage) usage = chunk.usage;
    for (const choice of chunk.choices ?? []) {
      const delta = choice.delta ?? {};
      const pieces = contentPieces(delta.content);
      text += pieces.text;
      reasoning += (delta.reasoning_content ?? delta.reasoning ?? '') + pieces.reasoning;
      (delta.tool_calls ?? []).forEach((call: any, position: number) => {
        const index = call.index ?? position;
        const entry = calls.get(index) ?? { name: '', arguments: '' };
        if (call.function?.name) entry.name ||= call.function.name;
        entry.arguments += call.function?.arguments ?? '';
        calls.set(index, entry);
      });
      finish ??= choice.finish_reason ?? undefined;
    }
  }
  const toolCalls = [...calls.entries()]
    .sort(([left], [right]) => left - right)
    .map(([, call]) => ({ name: call.name, arguments: JSON.parse(call.arguments || '{}') }));
  const expected: ExpectedOutcome = {
    text,
    toolCalls,
    finishReason: finishReasons[finish!] ?? 'other',
    usage: usage ? recordedUsage(usage) : { estimated: true },
    responseId,
  };
  if (reasoning) expected.reasoning = reasoning;
  return expected;
}

/** The expected outcome of a non-streaming recording (`*.json`). */
export function expectedFromJson(relativePath: string): ExpectedOutcome {
  const body = JSON.parse(readFixture(relativePath));
  const choice = body.choices[0];
  const message = choice.message;
  const pieces = contentPieces(message.content);
  const reasoning = (message.reasoning_content ?? message.reasoning ?? '') + pieces.reasoning;
  const expected: ExpectedOutcome = {
    text: pieces.text,
    toolCalls: (message.tool_calls ?? []).map((call: any) => ({ id: call.id, name: call.function.name, arguments: JSON.parse(call.function.arguments || '{}') })),
    finishReason: finishReasons[choice.finish_reason] ?? 'other',
    usage: recordedUsage(body.usage),
    responseId: body.id,
  };
  if (reasoning) expected.reasoning = reasoning;
  return expected;
}
