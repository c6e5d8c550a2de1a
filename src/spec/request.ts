import type { GenerationSettings } from './chat';

/** Who a request is for and how it is routed; shared by chat, stream and embed. */
export interface RoutingFields {
  /**
   * `provider:model` (`openai:gpt-4o-mini`), a provider id alone (its default model), `auto` (the selector
   * chooses), or a list tried in order.
   */
  model?: string | string[];
  /** The end user the call is for: their keys, tier, limits, budgets and cache scope apply. */
  userId?: string;
  /** The user's tier (`free`, `pro`, or a host-defined one): which rate limits apply. Default: the manager's `limits.defaultTier`. */
  tier?: string;
  /** Product feature the call serves (`ai-chat`, `summaries`), for usage reports and budgets. */
  feature?: string;
  /** Free-form labels copied into hooks and usage records. */
  metadata?: Record<string, string>;
  /** Aborts the whole call: every attempt, retry and wait. */
  signal?: AbortSignal;
  /** Deadline for the whole call across all attempts, in milliseconds (overrides the manager's). */
  timeoutMs?: number;
}

/** What `llm.chat()` and `llm.stream()` take. */
export interface ChatRequest extends GenerationSettings, RoutingFields {
  /** Load this conversation's context before the messages and save both turns after a success. */
  conversationId?: string;
  /** `'bypass'` skips the response cache for this call (neither read nor written). */
  cache?: 'default' | 'bypass';
}

/** What `llm.embed()` takes. */
export interface EmbedRequest extends RoutingFields {
  /** One text or several. */
  input: string | string[];
  /** Shorter vectors, for models that support it. */
  dimensions?: number;
  /** Extra body fields per provider id. */
  providerOptions?: Record<string, Record<string, unknown>>;
}
