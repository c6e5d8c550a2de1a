import { LLMError, type LLMErrorOptions } from './llm-error';

/** A key could not be encrypted or decrypted: wrong master key, tampered ciphertext, or a ciphertext bound to another owner. */
export class VaultError extends LLMError {
  override readonly code: string = 'vault';

  constructor(message: string, options: LLMErrorOptions = {}) {
    super(message, { retryable: false, ...options });
  }
}
