import type { Attempt } from '../spec/attempt';
import { LLMError, type LLMErrorOptions } from './llm-error';

/** Every candidate failed or was skipped; `attempts` lists each try with its error. */
export class AllProvidersFailedError extends LLMError {
  override readonly code: string = 'all_providers_failed';
  readonly attempts: readonly Attempt[];

  constructor(message: string, attempts: readonly Attempt[], options: LLMErrorOptions = {}) {
    super(message, options);
    this.attempts = attempts;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), attempts: this.attempts };
  }
}
