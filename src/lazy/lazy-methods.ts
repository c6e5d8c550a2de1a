type AsyncMethod = (...input: unknown[]) => Promise<unknown>;

/**
 * An object whose asynchronous methods forward to an implementation a dynamic `import()` is still loading:
 * calls made before it is ready wait for it and run in the order they were made; later calls go straight
 * through. This is how optional parts (the default storage, the response cache, budgets and credits) stay
 * out of the core entry for hosts that never use them.
 */
export function lazyMethods<T extends object, K extends keyof T>(loading: Promise<T>, names: readonly K[]): Pick<T, K> {
  let loaded: T | undefined;
  // Registered before any call can chain on `loading`, so it runs first once the import is done.
  loading.then(
    (implementation) => {
      loaded = implementation;
    },
    () => undefined,
  );
  const forwarding = {} as Record<K, AsyncMethod>;
  for (const name of names) {
    forwarding[name] = (...input) =>
      loaded ? (loaded[name] as AsyncMethod)(...input) : loading.then((implementation) => (implementation[name] as AsyncMethod)(...input));
  }
  return forwarding as unknown as Pick<T, K>;
}
