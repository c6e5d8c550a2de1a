/**
 * Marks what can be handed a call's own abort source (an `AbortSignalLike`, see call-deadline) where an
 * `AbortSignal` is typed:
 * - a fetch function that aborts its request from `aborted`, `reason` and an `abort` listener alone
 *   (the Node pooled transport: `undici.request` takes any EventTarget-like signal);
 * - a provider adapter that hands `context.signal` to nothing but `context.fetch` and this library's HTTP
 *   helpers.
 * With both marked, a plain call makes no `AbortSignal`: on Node 20 making one and listening on it costs
 * about 5 µs, a fifth of what the whole pipeline adds. The mark is not enumerable, so an object spread
 * from a marked adapter (with a `chat` of its own, say) is not marked.
 */
export const takesAbortSignalLike: unique symbol = Symbol.for('llm-switchyard.takes-abort-signal-like') as never;

/** Marks `target` (a fetch function or a provider adapter); returns it. */
export function markTakesAbortSignalLike<T extends object>(target: T): T {
  Object.defineProperty(target, takesAbortSignalLike, { value: true });
  return target;
}

/** Whether `target` was marked. */
export function takesAbortSignalLikeOf(target: unknown): boolean {
  return (target as { [takesAbortSignalLike]?: unknown } | undefined)?.[takesAbortSignalLike] === true;
}
