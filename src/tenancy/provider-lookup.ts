import type { LanguageModelProvider } from '../spec/provider';

/** The manager's providers: a map by id, a list, or a function (so providers added later are seen). */
export type ProviderLookupInput =
  | ReadonlyMap<string, LanguageModelProvider>
  | readonly LanguageModelProvider[]
  | ((providerId: string) => LanguageModelProvider | undefined);

/** Finds a configured provider adapter by id. */
export type ProviderLookup = (providerId: string) => LanguageModelProvider | undefined;

export function toProviderLookup(input: ProviderLookupInput | undefined): ProviderLookup {
  if (input === undefined) return () => undefined;
  if (typeof input === 'function') return input as ProviderLookup;
  if (input instanceof Map) return (providerId) => input.get(providerId);
  const list = input as readonly LanguageModelProvider[];
  return (providerId) => list.find((provider) => provider.id === providerId);
}
