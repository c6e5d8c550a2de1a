import { redactSecrets } from './redact-secrets';

const marker = Symbol.for('llm-switchyard.error');

/** What every error of the library can carry. */
export interface LLMErrorOptions {
  /** Whether repeating the same call later may succeed. */
  retryable?: boolean;
  /** HTTP status the provider answered with, when there was one. */
  status?: number;
  /** Provider id (`openai`, `groq`, …) the error came from, when it came from one. */
  provider?: string;
  /** Model the failing call asked for. */
  model?: string;
  /** Provider request id (`x-request-id`, `request-id`), for support tickets. */
  requestId?: string;
  /** How long the provider asked us to wait before retrying, in milliseconds. */
  retryAfterMs?: number;
  /** The underlying error. */
  cause?: unknown;
}

/**
 * Base class of every error the library throws. Recognise it across duplicated package copies with
 * `LLMError.isInstance(error)` rather than `instanceof`.
 */
export class LLMError extends Error {
  /** Stable machine-readable code, one per subclass. */
  readonly code: string = 'llm_error';
  readonly retryable: boolean;
  readonly status?: number;
  readonly provider?: string;
  readonly model?: string;
  readonly requestId?: string;
  readonly retryAfterMs?: number;
  private readonly [marker] = true;

  constructor(message: string, options: LLMErrorOptions = {}) {
    // Provider messages can echo a masked or even a full key back; never let one through.
    super(redactSecrets(message), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.retryable = options.retryable ?? false;
    if (options.status !== undefined) this.status = options.status;
    if (options.provider !== undefined) this.provider = options.provider;
    if (options.model !== undefined) this.model = options.model;
    if (options.requestId !== undefined) this.requestId = options.requestId;
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }

  static isInstance(value: unknown): value is LLMError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[marker] === true;
  }

  toJSON(): Record<string, unknown> {
    const json: Record<string, unknown> = { name: this.name, code: this.code, message: this.message, retryable: this.retryable };
    for (const key of ['status', 'provider', 'model', 'requestId', 'retryAfterMs'] as const) {
      if (this[key] !== undefined) json[key] = this[key];
    }
    return json;
  }
}
