// The canonical JSON and key material as they were before they were written directly (commit 501c5f6), kept
// verbatim as the reference the new implementation must match byte for byte: keys already stored in shared
// caches stay valid only while the text they hash is unchanged.
import { InvalidRequestError } from '../../src/errors/invalid-request-error';
import { isStandardJsonSchema, toJsonSchema } from '../../src/providers/shared/to-json-schema';
import type { CacheKeyInput } from '../../src/cache/cache-key';

function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let index = 0; index < bytes.length; index += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(index, index + 0x8000));
  }
  return btoa(binary);
}

function normalise(value: unknown, path: string, seen: Set<object>): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new InvalidRequestError(`${path} must be a finite number to be cached`);
    return value;
  }
  if (typeof value === 'bigint') return value.toString();
  // Before the function check: some libraries' schemas (ArkType's) are callable.
  if (isStandardJsonSchema(value)) return normalise(toJsonSchema(value), path, seen);
  if (typeof value !== 'object') return undefined; // functions, symbols and undefined are not meaningful
  if (value instanceof Uint8Array) return { $bytes: bytesToBase64(value) };
  if (seen.has(value)) throw new InvalidRequestError(`${path} is circular and cannot be part of a cache key`);
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((item, index) => normalise(item, `${path}[${index}]`, seen) ?? null);
    const result: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const normalised = normalise((value as Record<string, unknown>)[key], `${path}.${key}`, seen);
      if (normalised !== undefined) result[key] = normalised;
    }
    return result;
  } finally {
    seen.delete(value);
  }
}

/**
 * Canonical JSON: object keys sorted, `undefined` (and functions) left out, array order kept, bytes as
 * base64, zod and other Standard JSON Schema objects as their JSON Schema. Equal requests give equal strings whatever their key order.
 */
export function referenceCanonicalJson(value: unknown): string {
  return JSON.stringify(normalise(value, 'value', new Set()) ?? null);
}

const meaningfulFields = [
  'messages',
  'tools',
  'toolChoice',
  'responseFormat',
  'temperature',
  'topP',
  'maxTokens',
  'stop',
  'seed',
  'providerOptions',
  'input',
  'dimensions',
] as const;

/** The canonical text a cache key is the hash of (exposed for tests and debugging). */
export function referenceCacheKeyMaterial(input: CacheKeyInput): string {
  const fields: Record<string, unknown> = {};
  for (const field of meaningfulFields) fields[field] = input.request[field];
  // Anonymous calls share one user scope of their own, never a real user's.
  const scope = input.scope === 'global' ? { global: true } : { user: input.userId ?? null };
  return referenceCanonicalJson({ version: 'v1', operation: input.operation, model: input.model, scope, fields });
}
