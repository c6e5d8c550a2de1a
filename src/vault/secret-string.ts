import { defineInspection } from './inspect-symbols';
import { maskApiKey } from './mask-api-key';

const secretMarker = Symbol.for('llm-switchyard.secret-string');

/**
 * A key that only shows its mask: `String(secret)`, template literals, `JSON.stringify` and
 * `util.inspect` / `console.log` (Node and Deno) all print `sk-ab...xyz`. The value lives in a closure,
 * not in a property, so spreading or `Object.entries` cannot reach it; only `reveal()` returns it.
 */
export interface SecretString {
  /** The masked form (`sk-ab...xyz`). */
  readonly masked: string;
  /** The real value; call it only where the key is sent to the provider. */
  reveal(): string;
  /** The masked form. */
  toString(): string;
  /** The masked form. */
  toJSON(): string;
}

/** Wraps a key so that every way of printing it shows only the mask. */
export function createSecretString(value: string): SecretString {
  const masked = maskApiKey(value);
  const secret = {
    masked,
    reveal: () => value,
    toString: () => masked,
    toJSON: () => masked,
  };
  Object.defineProperty(secret, Symbol.toPrimitive, { value: () => masked, enumerable: false });
  Object.defineProperty(secret, secretMarker, { value: true, enumerable: false });
  defineInspection(secret, () => `SecretString(${masked})`);
  return Object.freeze(secret);
}

/** Whether `value` was made by `createSecretString` (works across package copies). */
export function isSecretString(value: unknown): value is SecretString {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[secretMarker] === true;
}

/** The real value of a key given either as a plain string or as a `SecretString`. */
export function revealSecret(value: string | SecretString): string {
  return typeof value === 'string' ? value : value.reveal();
}
