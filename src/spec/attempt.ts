/** Where the key of an attempt came from. */
export type KeySource = 'byok' | 'managed' | 'local';

/** One try of one candidate, as listed in `result.attempts` and `AllProvidersFailedError.attempts`. */
export interface Attempt {
  /** Provider id. */
  provider: string;
  /** Provider model id. */
  model: string;
  /** Whose key was used. */
  keySource: KeySource;
  /** `success`, `error`, or `skipped` (never sent: circuit open, no key, filtered). */
  status: 'success' | 'error' | 'skipped';
  /** Error class name (`ProviderRateLimitError`…) when it failed. */
  errorClass?: string;
  /** Error message when it failed or why it was skipped. */
  errorMessage?: string;
  /** HTTP status, when the provider answered. */
  httpStatus?: number;
  /** Wall time of this candidate including its retries, in milliseconds. */
  latencyMs: number;
  /** Retries made on this candidate before it succeeded or was given up. */
  retries: number;
  /** 1-based position among all attempts of the request. */
  attemptNumber: number;
}
