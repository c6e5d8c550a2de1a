import { anySignal } from '../http/any-signal';
import { LLMError } from '../errors/llm-error';
import { redactSecrets } from '../errors/redact-secrets';
import type { KeySource } from '../spec/attempt';
import type { LanguageModelProvider } from '../spec/provider';

/** Outcome of `keys.test`. */
export type KeyTestStatus =
  /** The provider accepted the key. */
  | 'valid'
  /** The provider rejected the key (`AuthenticationError`: 401/403, or Gemini's API_KEY_INVALID). */
  | 'invalid'
  /** The provider could not be asked (network, timeout, 5xx, unexpected answer): nothing is known about the key. */
  | 'unreachable';

/** Result of `keys.test`. Never contains the key, only its mask. */
export interface KeyTestResult {
  /** Provider id. */
  provider: string;
  /** Verdict. */
  status: KeyTestStatus;
  /** Whose key was tested. */
  keySource: KeySource;
  /** Masked key (`sk-ab...xyz`). */
  keyHint?: string;
  /** Error class name when the call failed (`AuthenticationError`, `NetworkError`, `TimeoutError`, …). */
  errorClass?: string;
  /** Error message when the call failed, with anything key-like redacted. */
  message?: string;
  /** HTTP status when the provider answered with an error. */
  httpStatus?: number;
  /** Number of models the provider listed, when the key was valid. */
  modelCount?: number;
  /** Wall time of the call in milliseconds. */
  latencyMs: number;
}

/**
 * Makes the cheapest real call (list models) with `apiKey` and classifies the outcome. A rate limit
 * (429) means the provider authenticated the key, so it counts as valid with the error class reported.
 */
export async function testProviderKey(input: {
  provider: LanguageModelProvider;
  apiKey: string | undefined;
  keySource: KeySource;
  keyHint?: string;
  fetch: typeof globalThis.fetch;
  timeoutMs: number;
  signal?: AbortSignal;
  now: () => number;
}): Promise<KeyTestResult> {
  const { provider } = input;
  const base = { provider: provider.id, keySource: input.keySource, ...(input.keyHint !== undefined ? { keyHint: input.keyHint } : {}) };
  const startedAt = input.now();
  const timeout = AbortSignal.timeout(input.timeoutMs);
  const signal = input.signal ? anySignal([input.signal, timeout]) : timeout;
  try {
    const models = await provider.listModels!({ fetch: input.fetch, signal, ...(input.apiKey !== undefined ? { apiKey: input.apiKey } : {}) });
    return { ...base, status: 'valid', modelCount: models.length, latencyMs: input.now() - startedAt };
  } catch (error) {
    const latencyMs = input.now() - startedAt;
    const errorClass = error instanceof Error ? error.name : typeof error;
    const status = LLMError.isInstance(error) ? error.status : undefined;
    // LLMError already redacts key shapes; also drop the exact key in case it has an unusual shape.
    let message = redactSecrets(error instanceof Error ? error.message : String(error));
    if (input.apiKey) message = message.split(input.apiKey).join('[redacted]');
    const verdict: KeyTestStatus =
      errorClass === 'AuthenticationError' ? 'invalid' : errorClass === 'ProviderRateLimitError' ? 'valid' : 'unreachable';
    return { ...base, status: verdict, errorClass, message, ...(status !== undefined ? { httpStatus: status } : {}), latencyMs };
  }
}
