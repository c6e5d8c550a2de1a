import type { LLMManager } from '../../manager/create-llm-manager';

/** Who is calling, as `authenticate` decides. */
export interface OpenAIHandlerCaller {
  /** The end user: their keys, tier, limits, budgets and cache scope apply. */
  userId: string;
  /** Their tier (`free`, `pro`, or one of the manager's `limits.tiers`): which rate limits apply. */
  tier?: string;
  /** Product feature to book the calls under (overrides the handler's `feature`). */
  feature?: string;
  /** Extra labels copied into hooks and usage records. */
  metadata?: Record<string, string>;
}

/** The part of the manager the handler calls. */
export type OpenAIHandlerManager = Pick<LLMManager, 'chat' | 'stream' | 'embed' | 'models'> & Partial<Pick<LLMManager, 'forUser'>>;

/** What `createOpenAIHandler()` takes besides the manager. */
export interface OpenAIHandlerOptions {
  /**
   * Maps the incoming request (its `Authorization` header, a cookie, …) to a caller. Returning `null` or
   * `undefined`, or throwing, answers 401.
   */
  authenticate(request: Request): OpenAIHandlerCaller | null | undefined | Promise<OpenAIHandlerCaller | null | undefined>;
  /** Path prefix the routes live under (default `/v1`): `${basePath}/chat/completions`, … */
  basePath?: string;
  /** Feature to book calls under when the caller has none. */
  feature?: string;
  /**
   * Turns the `model` the client sent into our model reference(s); e.g. map `gpt-4o` to
   * `['openai:gpt-4o', 'anthropic:claude-sonnet-4-5']`. Default: used as is (`provider:model` or `auto`).
   */
  resolveModel?(model: string, caller: OpenAIHandlerCaller): string | string[];
  /** Largest request body accepted, in bytes (default 20 MiB); larger ones get 413. */
  maxBodyBytes?: number;
}
