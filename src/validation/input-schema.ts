// A small structural validator for the library's own inputs (requests, options, tenancy calls). It
// replaces zod here: zod's classic API was ~93 kB of the core bundle and ~90 ms of its cold import, for
// checks that need only types, bounds and unions. Validation never copies the input: unknown fields are
// allowed and left in place, and a check that passes allocates nothing.

/** Where a problem is: object keys and array indexes from the root. */
export type InputPath = (string | number)[];

/** One thing wrong with an input. */
export interface InputProblem {
  /** Where it is. */
  path: InputPath;
  /** What is wrong, phrased to follow the field name ("must be a string"). Never contains the value. */
  message: string;
  /** True when the value is of the wrong kind altogether (a number for a string), not just out of bounds. */
  wrongKind: boolean;
}

/**
 * Checks `value`, which sits at `path`, and appends what is wrong to `problems`. `path` is a shared stack:
 * a check may push to it while descending but must restore it before returning.
 */
export interface InputSchema<T> {
  (value: unknown, path: InputPath, problems: InputProblem[]): void;
  /** Carries the type the schema accepts; never set at runtime. */
  readonly type?: T;
}

/** The type an input schema accepts. */
export type Infer<S> = S extends InputSchema<infer T> ? T : never;

type Simplify<T> = { [K in keyof T]: T[K] } & {};
type Shape = Record<string, InputSchema<unknown>>;
type OptionalKeys<S extends Shape> = { [K in keyof S]: undefined extends Infer<S[K]> ? K : never }[keyof S];
type ObjectOf<S extends Shape> = Simplify<
  { [K in Exclude<keyof S, OptionalKeys<S>>]: Infer<S[K]> } & { [K in OptionalKeys<S>]?: Infer<S[K]> }
>;

function report(problems: InputProblem[], path: InputPath, message: string, wrongKind = false): void {
  problems.push({ path: path.slice(), message, wrongKind });
}

/** Runs `schema` on `value` and returns its problems (empty when it passes). */
export function validateInput(schema: InputSchema<unknown>, value: unknown): InputProblem[] {
  const problems: InputProblem[] = [];
  schema(value, [], problems);
  return problems;
}

/** A schema from a predicate; a value it rejects counts as the wrong kind. */
export function custom<T>(accepts: (value: unknown) => boolean, message: string): InputSchema<T> {
  return (value, path, problems) => {
    if (!accepts(value)) report(problems, path, message, true);
  };
}

/** Adds a predicate to a schema; it runs only when the schema itself passed. */
export function refine<T>(schema: InputSchema<T>, accepts: (value: T) => boolean, message: string): InputSchema<T> {
  return (value, path, problems) => {
    const before = problems.length;
    schema(value, path, problems);
    if (problems.length === before && !accepts(value as T)) report(problems, path, message);
  };
}

/** Any value. */
export const unknownValue: InputSchema<unknown> = () => {};

/** A boolean. */
export const boolean: InputSchema<boolean> = custom((value) => typeof value === 'boolean', 'must be a boolean');

interface StringBounds {
  /** Fewest characters (UTF-16 code units). */
  min?: number;
  /** Most characters. */
  max?: number;
  /** A pattern the whole value must match, and what to say when it does not. */
  pattern?: [RegExp, string];
}

/** A string, optionally bounded in length or matched against a pattern. */
export function string(bounds: StringBounds = {}): InputSchema<string> {
  const { min = 0, max = Number.POSITIVE_INFINITY, pattern } = bounds;
  return (value, path, problems) => {
    if (typeof value !== 'string') return report(problems, path, 'must be a string', true);
    if (value.length < min) report(problems, path, min === 1 ? 'must not be empty' : `must be at least ${min} characters`);
    else if (value.length > max) report(problems, path, `must be at most ${max} characters`);
    else if (pattern && !pattern[0].test(value)) report(problems, path, pattern[1]);
  };
}

interface NumberBounds {
  /** Whole numbers only (safe integers). */
  integer?: boolean;
  /** Smallest allowed value. */
  min?: number;
  /** Values must be above this. */
  greaterThan?: number;
  /** Largest allowed value. */
  max?: number;
}

/** A finite number, optionally an integer and bounded. */
export function number(bounds: NumberBounds = {}): InputSchema<number> {
  const { integer = false, min, greaterThan, max } = bounds;
  return (value, path, problems) => {
    if (typeof value !== 'number' || !Number.isFinite(value)) return report(problems, path, 'must be a finite number', true);
    if (integer && !Number.isSafeInteger(value)) report(problems, path, 'must be an integer');
    else if (min !== undefined && value < min) report(problems, path, `must be at least ${min}`);
    else if (greaterThan !== undefined && value <= greaterThan) report(problems, path, `must be greater than ${greaterThan}`);
    else if (max !== undefined && value > max) report(problems, path, `must be at most ${max}`);
  };
}

/** An integer of at least 1. */
export const positiveInteger: InputSchema<number> = number({ integer: true, min: 1 });

/** An integer of at least 0. */
export const nonNegativeInteger: InputSchema<number> = number({ integer: true, min: 0 });

/** One of the given literal values. */
export function oneOf<const V extends readonly (string | number | boolean | null)[]>(values: V, message?: string): InputSchema<V[number]> {
  return (value, path, problems) => {
    if (values.includes(value as V[number])) return;
    const listed = values.map((allowed) => JSON.stringify(allowed));
    report(problems, path, message ?? (listed.length === 1 ? `must be ${listed[0]}` : `must be one of ${listed.join(', ')}`), true);
  };
}

/** The schema, or `undefined`. */
export function optional<T>(schema: InputSchema<T>): InputSchema<T | undefined> {
  return (value, path, problems) => {
    if (value !== undefined) schema(value, path, problems);
  };
}

/** The schema, `null` or `undefined`. */
export function nullish<T>(schema: InputSchema<T>): InputSchema<T | null | undefined> {
  return (value, path, problems) => {
    if (value !== undefined && value !== null) schema(value, path, problems);
  };
}

interface ArrayBounds {
  /** Fewest items. */
  min?: number;
  /** Most items. */
  max?: number;
  /** What to say when there are fewer than `min` items. */
  minMessage?: string;
}

/** An array whose every item passes `item`. */
export function array<T>(item: InputSchema<T>, bounds: ArrayBounds = {}): InputSchema<T[]> {
  const { min = 0, max = Number.POSITIVE_INFINITY, minMessage } = bounds;
  return (value, path, problems) => {
    if (!Array.isArray(value)) return report(problems, path, 'must be an array', true);
    if (value.length < min) return report(problems, path, minMessage ?? `must contain at least ${min} item${min === 1 ? '' : 's'}`);
    if (value.length > max) return report(problems, path, `must contain at most ${max} items`);
    for (let index = 0; index < value.length; index++) {
      path.push(index);
      item(value[index], path, problems);
      path.pop();
    }
  };
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** An object whose listed fields pass their schemas; other fields are allowed and kept. */
export function object<S extends Shape>(shape: S): InputSchema<ObjectOf<S>> {
  const fields = Object.keys(shape);
  return (value, path, problems) => {
    if (!isPlainObject(value)) return report(problems, path, 'must be an object', true);
    for (const field of fields) {
      path.push(field);
      shape[field]!(value[field], path, problems);
      path.pop();
    }
  };
}

/** An object whose every value passes `item`. */
export function record<T>(item: InputSchema<T>): InputSchema<Record<string, T>> {
  return (value, path, problems) => {
    if (!isPlainObject(value)) return report(problems, path, 'must be an object', true);
    for (const key of Object.keys(value)) {
      path.push(key);
      item(value[key], path, problems);
      path.pop();
    }
  };
}

/**
 * An object whose `key` field picks its schema. A value whose tag is not among `variants` is reported at the
 * tag, listing the allowed tags.
 */
export function discriminated<K extends string, V extends Record<string, InputSchema<unknown>>>(
  key: K,
  variants: V,
): InputSchema<{ [T in keyof V & string]: Simplify<Infer<V[T]> & { [P in K]: T }> }[keyof V & string]> {
  const tags = Object.keys(variants);
  const tagMessage = `must be one of ${tags.map((tag) => JSON.stringify(tag)).join(', ')}`;
  return (value, path, problems) => {
    if (!isPlainObject(value)) return report(problems, path, 'must be an object', true);
    const tag = value[key];
    const variant = typeof tag === 'string' && Object.hasOwn(variants, tag) ? variants[tag] : undefined;
    if (!variant) return report(problems, [...path, key], tagMessage, true);
    variant(value, path, problems);
  };
}

/**
 * Passes when one of `alternatives` passes. When all fail, the problems of the first alternative that
 * accepted the kind of value are reported (an empty array says "at least one item", a bad part says which
 * part); when none did, `message`.
 */
export function union<A extends InputSchema<unknown>[]>(alternatives: A, message: string): InputSchema<Infer<A[number]>> {
  return (value, path, problems) => {
    // Each alternative reports into `problems` itself; what it said is taken back out. A value the first
    // alternative accepts allocates nothing.
    const start = problems.length;
    let closest: InputProblem[] | undefined;
    for (const alternative of alternatives) {
      alternative(value, path, problems);
      if (problems.length === start) return;
      const found = problems.splice(start);
      if (!closest && !found.some((problem) => problem.wrongKind && problem.path.length === path.length)) closest = found;
    }
    if (closest) problems.push(...closest);
    else report(problems, path, message, true);
  };
}

/** `a.b[0].c`: a path as a field reference in messages. */
export function describeInputPath(path: InputPath): string {
  let result = '';
  for (const key of path) result += typeof key === 'number' ? `[${key}]` : result ? `.${key}` : key;
  return result;
}
