import { InvalidRequestError } from '../errors/invalid-request-error';
import { isStandardJsonSchema, toJsonSchema } from '../providers/shared/to-json-schema';

function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let index = 0; index < bytes.length; index += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(index, index + 0x8000));
  }
  return btoa(binary);
}

// The text is written directly (no normalised copy, no path strings): a cache hit computes a key for every
// request, and this is most of its cost. The output is byte for byte what JSON.stringify gave for the
// normalised copy the earlier version built, so keys already stored stay valid.

/** Where a value cannot be keyed; its path is collected only while the error unwinds. */
class UnkeyableValue {
  readonly path: (string | number)[] = [];
  constructor(readonly problem: 'not finite' | 'circular') {}
}

/** Ancestors of the value being written: a short array scan is cheaper than a Set until nesting is deep. */
interface Ancestors {
  stack: object[];
  deep: Set<object> | undefined;
}
const shallowDepth = 32;

function enter(ancestors: Ancestors, value: object): void {
  const { stack } = ancestors;
  if (ancestors.deep === undefined && stack.length >= shallowDepth) ancestors.deep = new Set(stack);
  if (ancestors.deep === undefined ? stack.includes(value) : ancestors.deep.has(value)) throw new UnkeyableValue('circular');
  stack.push(value);
  ancestors.deep?.add(value);
}

function leave(ancestors: Ancestors): void {
  const value = ancestors.stack.pop()!;
  ancestors.deep?.delete(value);
}

/** A string key that an ordinary object orders first, numerically, whatever order it was added in. */
function isArrayIndex(key: string): boolean {
  const first = key.charCodeAt(0);
  if (first < 48 || first > 57) return false;
  const number = Number(key);
  return number <= 4_294_967_294 && String(number >>> 0) === key;
}

/**
 * Sorted as Array.prototype.sort sorts strings (by UTF-16 code units, as `<` compares them). Insertion sort
 * for the few keys most objects have: a third of the cost of the built-in sort's setup.
 */
function sortKeys(keys: string[]): string[] {
  if (keys.length > 16) return keys.sort();
  for (let index = 1; index < keys.length; index++) {
    const key = keys[index]!;
    let before = index - 1;
    for (; before >= 0 && keys[before]! > key; before--) keys[before + 1] = keys[before]!;
    keys[before + 1] = key;
  }
  return keys;
}

/**
 * Keys in the order the earlier version's output had them: it sorted the keys, then assigned them into a
 * fresh object, which puts array-index keys ("0", "10") first in numeric order.
 */
function orderedKeys(value: object): string[] {
  const keys = sortKeys(Object.keys(value));
  let indexKeys: string[] | undefined;
  for (const key of keys) {
    if (isArrayIndex(key)) (indexKeys ??= []).push(key);
  }
  if (indexKeys === undefined) return keys;
  indexKeys.sort((left, right) => Number(left) - Number(right));
  return [...indexKeys, ...keys.filter((key) => !isArrayIndex(key))];
}

// Strings JSON.stringify leaves as they are: no quote, backslash, control character or surrogate (pairs
// are legal but take the slower, still exact, path). Anchored and negated, V8 runs this as one tight loop,
// about twice as fast as JSON.stringify over a long string that needs no escapes.
const plainText = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/;

/** JSON.stringify of a string. */
function quote(text: string): string {
  return plainText.test(text) ? `"${text}"` : JSON.stringify(text);
}

/** The canonical JSON text of `value`, or undefined where it is left out (undefined, functions, symbols). */
function write(value: unknown, ancestors: Ancestors): string | undefined {
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new UnkeyableValue('not finite');
    return String(value);
  }
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'bigint') return `"${value.toString()}"`;
  // Before the function check: some libraries' schemas (ArkType's) are callable.
  if (isStandardJsonSchema(value)) return write(toJsonSchema(value), ancestors);
  if (typeof value !== 'object') return undefined; // functions, symbols and undefined are not meaningful
  if (value instanceof Uint8Array) return `{"$bytes":"${bytesToBase64(value)}"}`;
  enter(ancestors, value);
  let text: string;
  if (Array.isArray(value)) {
    text = '[';
    for (let index = 0; index < value.length; index++) {
      let item: string | undefined;
      try {
        item = write(value[index], ancestors);
      } catch (error) {
        if (error instanceof UnkeyableValue) error.path.push(index);
        throw error;
      }
      text += index === 0 ? (item ?? 'null') : `,${item ?? 'null'}`;
    }
    text += ']';
  } else {
    text = '{';
    for (const key of orderedKeys(value)) {
      let member: string | undefined;
      try {
        member = write((value as Record<string, unknown>)[key], ancestors);
      } catch (error) {
        if (error instanceof UnkeyableValue) error.path.push(key);
        throw error;
      }
      // The earlier version assigned `__proto__` into a plain object, which set its prototype and left
      // the key out of the JSON; still left out so existing keys do not change.
      if (member === undefined || key === '__proto__') continue;
      text += `${text.length === 1 ? '' : ','}${quote(key)}:${member}`;
    }
    text += '}';
  }
  leave(ancestors);
  return text;
}

function invalid(error: UnkeyableValue, root: string): InvalidRequestError {
  let path = root;
  for (let index = error.path.length - 1; index >= 0; index--) {
    const segment = error.path[index]!;
    path += typeof segment === 'number' ? `[${segment}]` : `.${segment}`;
  }
  return new InvalidRequestError(
    error.problem === 'circular' ? `${path} is circular and cannot be part of a cache key` : `${path} must be a finite number to be cached`,
  );
}

/**
 * The canonical JSON of one member value, or undefined where the member is left out; `path` names it in
 * errors. For a caller that writes an object of fixed, already sorted keys itself (the cache key).
 */
export function canonicalJsonMember(value: unknown, path: string): string | undefined {
  if (value === undefined) return undefined; // most of a request's fields
  try {
    return write(value, { stack: [], deep: undefined });
  } catch (error) {
    throw error instanceof UnkeyableValue ? invalid(error, path) : error;
  }
}

/**
 * Canonical JSON: object keys sorted, `undefined` (and functions) left out, array order kept, bytes as
 * base64, zod and other Standard JSON Schema objects as their JSON Schema. Equal requests give equal strings whatever their key order.
 */
export function canonicalJson(value: unknown): string {
  return canonicalJsonMember(value, 'value') ?? 'null';
}
