/**
 * Gemini 3 rejects a follow-up turn whose function calls lack the `thoughtSignature` they came with, and
 * the portable message format has no field for it. The adapter therefore remembers the signature of each
 * function call it returned, by tool call id, and puts it back when that call is sent again.
 */
export interface GoogleThoughtSignatures {
  /** Remembers the signature of a returned tool call. */
  remember(toolCallId: string, signature: string): void;
  /** The signature of a tool call this instance returned, if still remembered. */
  lookup(toolCallId: string): string | undefined;
}

/**
 * Google's documented stand-in for a function call that has no signature (history from another model,
 * another process, or evicted here): Gemini 3 then skips validation instead of answering 400.
 */
export const googleSkipSignatureValidation = 'skip_thought_signature_validator';

/** A bounded memory: the oldest entries go first once `capacity` is reached. */
export function createGoogleThoughtSignatures(capacity = 2000): GoogleThoughtSignatures {
  const entries = new Map<string, string>();
  return {
    remember(toolCallId, signature) {
      entries.delete(toolCallId);
      entries.set(toolCallId, signature);
      if (entries.size > capacity) entries.delete(entries.keys().next().value as string);
    },
    lookup: (toolCallId) => entries.get(toolCallId),
  };
}
