import type { ProviderStreamPart } from '../../spec/stream';
import type { ToolCall } from '../../spec/tool';
import type { GoogleFunctionCall, GoogleResponse, GoogleUsageMetadata } from './google-api-types';
import { googleStreamError } from './google-error';
import { mapGoogleFinishReason } from './google-finish-reason';
import { applyGooglePartialArguments } from './google-partial-arguments';
import { convertGoogleUsage, hasGoogleTokenCounts } from './google-usage';

/** Turns `GenerateContentResponse`s (one whole answer, or the events of a stream) into stream parts. */
export interface GoogleResponseProcessor {
  /** Parts for one response; throws the typed error when the response is an error. */
  accept(response: GoogleResponse): ProviderStreamPart[];
  /** Whether a candidate carried a `finishReason` or the prompt was blocked. */
  readonly finished: boolean;
  /** Flushes a call still being assembled and returns the closing `finish` part. */
  close(): ProviderStreamPart[];
}

/** What the processor needs from its adapter. */
export interface GoogleResponseProcessorOptions {
  /** Provider id, for errors. */
  provider: string;
  /** Requested model, for errors. */
  model: string;
  /** Called for each returned function call that came with a thought signature. */
  rememberSignature?(toolCallId: string, signature: string): void;
  /** Random suffix source for call ids when the response has no id (injectable for tests). */
  randomId?(): string;
}

interface PendingCall {
  name: string;
  id?: string;
  args: Record<string, unknown>;
  signature?: string;
}

/**
 * Gemini gives function calls no ids, so they are named `call_<responseId>_<n>`: stable for a given
 * response and unique across responses. Streamed Vertex calls (`willContinue` + `partialArgs`, closed by
 * an empty `functionCall`) are assembled and emitted once complete.
 */
export function createGoogleResponseProcessor(options: GoogleResponseProcessorOptions): GoogleResponseProcessor {
  let responseId: string | undefined;
  let metadataSent = false;
  let usage: GoogleUsageMetadata | undefined;
  let finishReason: string | undefined;
  let blockReason: string | undefined;
  let pending: PendingCall | undefined;
  let callCount = 0;
  let fallbackPrefix: string | undefined;

  const nextId = (): string => {
    const prefix = responseId ?? (fallbackPrefix ??= (options.randomId ?? randomHex)());
    return `call_${prefix}_${callCount}`;
  };

  const complete = (call: PendingCall): ProviderStreamPart => {
    const id = call.id ?? nextId();
    callCount++;
    if (call.signature) options.rememberSignature?.(id, call.signature);
    const toolCall: ToolCall = { id, name: call.name, arguments: call.args, rawArguments: JSON.stringify(call.args) };
    return { type: 'tool-call', toolCall };
  };

  const flush = (parts: ProviderStreamPart[]): void => {
    if (pending) parts.push(complete(pending));
    pending = undefined;
  };

  const functionCall = (call: GoogleFunctionCall, signature: string | undefined, parts: ProviderStreamPart[]): void => {
    if (call.name) {
      flush(parts);
      const next: PendingCall = { name: call.name, id: call.id, args: { ...call.args }, signature };
      if (call.willContinue) pending = next;
      else parts.push(complete(next));
    } else if (call.partialArgs && call.partialArgs.length > 0) {
      if (pending) applyGooglePartialArguments(pending.args, call.partialArgs);
      if (pending && signature) pending.signature ??= signature;
    } else if (!call.willContinue) {
      // An empty functionCall closes the call being streamed.
      flush(parts);
    }
  };

  return {
    get finished() {
      return finishReason !== undefined || blockReason !== undefined;
    },
    accept(response) {
      if (response.error) throw googleStreamError(response, options.provider, options.model);
      const parts: ProviderStreamPart[] = [];
      responseId ??= response.responseId;
      if (!metadataSent && (response.responseId || response.modelVersion)) {
        metadataSent = true;
        parts.push({ type: 'response-metadata', responseId: response.responseId, model: response.modelVersion });
      }
      // usageMetadata is cumulative and repeated in every event: the last one with counts is the total.
      if (hasGoogleTokenCounts(response.usageMetadata)) usage = response.usageMetadata;
      if (response.promptFeedback?.blockReason) blockReason = response.promptFeedback.blockReason;
      const candidate = response.candidates?.[0];
      for (const part of candidate?.content?.parts ?? []) {
        if (part.functionCall) functionCall(part.functionCall, part.thoughtSignature, parts);
        else if (typeof part.text === 'string' && part.text.length > 0) {
          parts.push(part.thought ? { type: 'reasoning-delta', text: part.text } : { type: 'text-delta', text: part.text });
        }
      }
      if (candidate?.finishReason) {
        finishReason = candidate.finishReason;
        flush(parts);
      }
      return parts;
    },
    close() {
      const parts: ProviderStreamPart[] = [];
      flush(parts);
      const raw = finishReason ?? blockReason;
      const reason = blockReason && !finishReason ? 'content-filter' : mapGoogleFinishReason(finishReason, callCount > 0);
      const finalUsage = convertGoogleUsage(usage);
      parts.push({ type: 'usage', usage: finalUsage });
      parts.push({ type: 'finish', finishReason: reason, ...(raw ? { rawFinishReason: raw } : {}), usage: finalUsage });
      return parts;
    },
  };
}

function randomHex(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
