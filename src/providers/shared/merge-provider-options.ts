/** Per-provider extra body fields, as `ProviderChatCall.providerOptions` and `ProviderEmbedCall.providerOptions` carry them. */
export type ProviderOptions = Record<string, Record<string, unknown>>;

/** The `providerOptions` keys one adapter instance reads. */
export interface ProviderOptionKeys {
  /** Wire-format key, read first (`openai`, `openai-compatible`, `anthropic`, `google`, `cohere`, `ollama`). */
  wireFormat: string;
  /** Instance id (`groq`, `my-claude`), read second so it wins; skipped when it equals `wireFormat`. */
  provider: string;
}

/** The option objects that apply, in merge order: `providerOptions[wireFormat]`, then `providerOptions[provider]`. */
export function providerOptionSources(options: ProviderOptions | undefined, keys: ProviderOptionKeys): Record<string, unknown>[] {
  if (!options) return [];
  const sources = [options[keys.wireFormat]];
  if (keys.provider !== keys.wireFormat) sources.push(options[keys.provider]);
  return sources.filter((source): source is Record<string, unknown> => source !== undefined && source !== null);
}

/** One object of every applying option, the instance key's fields over the wire format's. */
export function collectProviderOptions(options: ProviderOptions | undefined, keys: ProviderOptionKeys): Record<string, unknown> {
  return Object.assign({}, ...providerOptionSources(options, keys)) as Record<string, unknown>;
}

/**
 * Merges collected options into a request body for APIs whose escape hatch adds to what the adapter built:
 * arrays are appended (a server tool such as `googleSearch` next to ours), plain objects merged one level
 * (`generationConfig.thinkingConfig`), anything else replaced. Adapters whose options simply replace
 * top-level fields use `Object.assign(body, collectProviderOptions(...))` instead.
 */
export function mergeProviderOptions(body: Record<string, unknown>, extra: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(extra)) {
    const current = body[key];
    if (Array.isArray(current) && Array.isArray(value)) body[key] = [...current, ...value];
    else if (isPlainObject(current) && isPlainObject(value)) body[key] = { ...current, ...value };
    else body[key] = value;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
