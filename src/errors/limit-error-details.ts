/** What a limit, quota or budget error says about the limit that was hit. */
export interface LimitErrorDetails {
  /**
   * The exhausted scope, most specific first: `user:u1:requests-per-hour`, `global:concurrency`,
   * `budget:team:t1:monthly`, `credits:user:u1`.
   */
  scope: string;
  /** The configured limit for that scope (requests, tokens, slots, or USD for budgets). */
  limit: number;
  /** What is left in the scope right now (0 when exhausted). */
  remaining: number;
  /** When the scope has room again, if it resets on its own (epoch milliseconds). */
  resetAt?: number;
  /** How long to wait before trying again, when known. */
  retryAfterMs?: number;
}
