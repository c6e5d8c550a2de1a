import type { LLMError } from '../errors/llm-error';
import type { Attempt } from '../spec/attempt';
import type { ChatResult, EmbedResult } from '../spec/result';

/** Fired when a call enters the pipeline (after validation). */
export interface RequestEvent {
  /** Id of this call (also the usage record id of its serving attempt). */
  requestId: string;
  /** `chat`, `stream` or `embed`. */
  operation: 'chat' | 'stream' | 'embed';
  /** The user, when given. */
  userId?: string;
  /** The feature, when given. */
  feature?: string;
  /** The model reference(s) asked for. */
  model: string | string[] | undefined;
  /** Free-form labels from the request. */
  metadata?: Record<string, string>;
}

/** Hooks for logging and metrics. They must not throw; a throwing hook is ignored. */
export interface ManagerHooks {
  /** A call entered the pipeline. */
  onRequest?(event: RequestEvent): void;
  /** A call succeeded. */
  onResponse?(event: RequestEvent & { result: ChatResult | EmbedResult }): void;
  /** A call failed for good. */
  onError?(event: RequestEvent & { error: LLMError; attempts: readonly Attempt[] }): void;
  /** One candidate failed and the next one is tried. */
  onFallback?(event: RequestEvent & { failed: Attempt; next: { provider: string; model: string } }): void;
}

/** Calls a hook without letting it break the request. */
export function fireHook<T>(hook: ((event: T) => void) | undefined, event: T): void {
  if (hook === undefined) return;
  try {
    hook(event);
  } catch {
    // A logging hook must never change the outcome of a call.
  }
}
