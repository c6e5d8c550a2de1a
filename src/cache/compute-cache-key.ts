import { canonicalJsonMember } from './canonical-json';
import { cacheKeyVersion, type CacheKeyInput } from './cache-key';

// Loaded by `createCacheKey` on its first call, so the core entry does not carry it for the many hosts
// that never turn caching on.

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

const versionJson = JSON.stringify(cacheKeyVersion);

// Written out in sorted order, with each field's path for errors, so no object is built and sorted per key.
const sortedFields = [...meaningfulFields].sort().map((field) => ({ field, prefix: `"${field}":`, path: `value.fields.${field}` }));

/**
 * The canonical text a cache key is the hash of (exposed for tests and debugging): the canonical JSON of
 * `{ version, operation, model, scope, fields }`, fields being the request's meaningful fields.
 */
export function cacheKeyMaterial(input: CacheKeyInput): string {
  const { request } = input;
  let fields = '';
  for (const { field, prefix, path } of sortedFields) {
    const text = canonicalJsonMember(request[field], path);
    if (text !== undefined) fields += fields === '' ? prefix + text : `,${prefix}${text}`;
  }
  const model = canonicalJsonMember(input.model, 'value.model');
  const operation = canonicalJsonMember(input.operation, 'value.operation');
  // Anonymous calls share one user scope of their own, never a real user's.
  let scope = '{"global":true}';
  if (input.scope !== 'global') {
    const user = canonicalJsonMember(input.userId ?? null, 'value.scope.user');
    scope = user === undefined ? '{}' : `{"user":${user}}`;
  }
  return (
    `{"fields":{${fields}}` +
    (model === undefined ? '' : `,"model":${model}`) +
    (operation === undefined ? '' : `,"operation":${operation}`) +
    `,"scope":${scope},"version":${versionJson}}`
  );
}

type SyncSha256 = (text: string) => string;

interface NodeCryptoLike {
  hash?: (algorithm: string, data: string) => string;
  createHash?: (algorithm: string) => { update(text: string): { digest(encoding: 'hex'): string } };
}

/**
 * The synchronous SHA-256 (hex) a Node crypto module offers: the one-shot `hash` (Node ≥ 20.12) skips the
 * Hash object `createHash` needs, which is a noticeable part of keying a 2 KB request. Exported for tests.
 */
export function syncSha256Of(nodeCrypto: NodeCryptoLike | undefined): SyncSha256 | null {
  const { hash, createHash } = nodeCrypto ?? {};
  if (typeof hash === 'function') return (text) => hash('sha256', text);
  if (typeof createHash === 'function') return (text) => createHash('sha256').update(text).digest('hex');
  return null;
}

// Where the runtime offers Node's crypto without an import (Node ≥ 20.16, Bun, Deno), hashing is
// synchronous and about ten times cheaper than a WebCrypto digest, whose fixed cost dominates a 2 KB
// request. Both give the same hex, so a cache shared between Node and an edge runtime still matches.
let syncSha256: SyncSha256 | null | undefined;
function nodeSha256(): SyncSha256 | null {
  if (syncSha256 !== undefined) return syncSha256;
  syncSha256 = null;
  try {
    const getBuiltinModule = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule;
    syncSha256 = syncSha256Of(getBuiltinModule?.('crypto') as NodeCryptoLike | undefined);
  } catch {
    // No Node crypto here: WebCrypto it is.
  }
  return syncSha256;
}

/** The cache key of a request (see `createCacheKey`), synchronously where the runtime can hash synchronously. */
export function computeCacheKey(input: CacheKeyInput): string | Promise<string> {
  const material = cacheKeyMaterial(input);
  const sha256 = nodeSha256();
  if (sha256) return `llm:${cacheKeyVersion}:${sha256(material)}`;
  return webCryptoKey(material);
}

async function webCryptoKey(material: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(material));
  let hex = '';
  for (const byte of new Uint8Array(digest)) hex += byte.toString(16).padStart(2, '0');
  return `llm:${cacheKeyVersion}:${hex}`;
}
