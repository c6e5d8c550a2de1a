import { ConfigurationError } from '../errors/configuration-error';
import type { ModelPricing } from '../spec/model-info';
import {
  builtInModelAliases,
  builtInPrices,
  builtInPriceTableSourceDate,
  builtInPriceTableVersion,
  vendorPrefixes,
  type PriceRow,
} from './price-table-data';

export type { PriceRow } from './price-table-data';
export { builtInPriceTableSourceDate, builtInPriceTableVersion } from './price-table-data';

/** A host's price for one model, or for every model of a provider (`provider:*`). */
export interface PriceOverride extends ModelPricing {
  /** Prices for prompts over a token threshold (Gemini Pro over 200k tokens). */
  longContext?: { thresholdTokens: number; inputPerMillion: number; outputPerMillion: number; cachedInputPerMillion?: number };
}

export interface PriceTableOptions {
  /**
   * Host prices keyed `provider:model` (dated ids match their base model) or `provider:*`. They win over the
   * built-in table. A host that overrides anything gets a distinct table version (see `version`).
   */
  overrides?: Record<string, PriceOverride>;
  /** Version stored on usage records; default the built-in version, suffixed `+host` when overrides exist. */
  version?: string;
  /** Skip the built-in prices entirely (only overrides are known). */
  builtIn?: boolean;
}

/** Where a price came from. */
export interface PriceMatch {
  /** The prices that apply. */
  price: PriceRow;
  /** Version of the table that produced it. */
  version: string;
  /** `override` (host), `built-in`, or `local` (a local provider: always zero). */
  source: 'override' | 'built-in' | 'local';
  /** The row that matched, as `provider:model` (`openai:gpt-4o-mini` for `gpt-4o-mini-2024-07-18`). */
  matched: string;
}

export interface PriceLookupOptions {
  /** The provider runs locally: its calls cost nothing whatever the table says. */
  local?: boolean;
  /**
   * Table to use when `provider` is an instance id with no prices of its own (`my-openai` → `openai`,
   * a preset such as `groq` on the `openai-compatible` adapter).
   */
  priceProvider?: string;
}

export interface PriceTable {
  /** Version stored on every usage record priced with this table. */
  readonly version: string;
  /** The price of `provider:model`, or undefined when unknown. */
  lookup(provider: string, model: string, options?: PriceLookupOptions): PriceMatch | undefined;
  /** The same, shaped as `ModelInfo.pricing`. */
  pricing(provider: string, model: string, options?: PriceLookupOptions): ModelPricing | undefined;
}

const zeroPrice: PriceRow = Object.freeze({ input: 0, output: 0, cached: 0 });

// A trailing piece that only dates or versions a model: -2024-07-18, -20250929, -0709, -001, -latest, -preview-05-20.
const datedSuffix = /^(?:-(?:\d{4}-\d{2}-\d{2}|\d{3,8}|\d{2}-\d{2}|latest|preview|exp|beta))+$/;

function normaliseModel(model: string): string {
  let id = model.trim().toLowerCase();
  if (id.startsWith('models/')) id = id.slice('models/'.length);
  if (id.startsWith('accounts/fireworks/models/')) id = id.slice('accounts/fireworks/models/'.length);
  // Vertex spells versions with '@' (claude-sonnet-4-5@20250929); OpenRouter marks variants with ':' (…:free).
  id = id.replace('@', '-');
  const variant = id.indexOf(':');
  if (variant > 0) id = id.slice(0, variant);
  return id;
}

function matchInTable(
  table: Record<string, PriceRow> | undefined,
  aliases: Record<string, string> | undefined,
  model: string,
): string | undefined {
  if (table === undefined) return undefined;
  if (table[model] !== undefined) return model;
  const alias = aliases?.[model];
  if (alias !== undefined && table[alias] !== undefined) return alias;
  // Longest base id that the requested id extends with a date or version suffix only.
  let best: string | undefined;
  for (const candidate of Object.keys(table)) {
    if (model.length > candidate.length && model.startsWith(candidate) && datedSuffix.test(model.slice(candidate.length))) {
      if (best === undefined || candidate.length > best.length) best = candidate;
    }
  }
  if (best !== undefined) return best;
  const aliasOfDated = Object.keys(aliases ?? {}).find((key) => model.startsWith(key) && datedSuffix.test(model.slice(key.length)));
  if (aliasOfDated !== undefined) {
    const target = aliases![aliasOfDated]!;
    if (table[target] !== undefined) return target;
  }
  return undefined;
}

function checkPrice(key: string, field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new ConfigurationError(`priceOverrides["${key}"].${field} must be a finite number >= 0 (USD per million tokens)`);
  }
  return value;
}

function rowFromOverride(key: string, override: PriceOverride): PriceRow {
  if (typeof override !== 'object' || override === null) {
    throw new ConfigurationError(`priceOverrides["${key}"] must be an object with inputPerMillion and outputPerMillion`);
  }
  const row: PriceRow = {
    input: checkPrice(key, 'inputPerMillion', override.inputPerMillion),
    output: checkPrice(key, 'outputPerMillion', override.outputPerMillion),
  };
  if (override.cachedInputPerMillion !== undefined) row.cached = checkPrice(key, 'cachedInputPerMillion', override.cachedInputPerMillion);
  if (override.longContext !== undefined) {
    const long = override.longContext;
    const threshold = long.thresholdTokens;
    if (!Number.isInteger(threshold) || threshold <= 0) {
      throw new ConfigurationError(`priceOverrides["${key}"].longContext.thresholdTokens must be a positive integer`);
    }
    row.longContext = {
      thresholdTokens: threshold,
      input: checkPrice(key, 'longContext.inputPerMillion', long.inputPerMillion),
      output: checkPrice(key, 'longContext.outputPerMillion', long.outputPerMillion),
    };
    if (long.cachedInputPerMillion !== undefined) {
      row.longContext.cached = checkPrice(key, 'longContext.cachedInputPerMillion', long.cachedInputPerMillion);
    }
  }
  return row;
}

/** Converts a table row to the public `ModelPricing` shape. */
export function toModelPricing(row: PriceRow): ModelPricing {
  const pricing: ModelPricing = { inputPerMillion: row.input, outputPerMillion: row.output };
  if (row.cached !== undefined) pricing.cachedInputPerMillion = row.cached;
  return pricing;
}

/**
 * A versioned price table: the built-in prices plus the host's overrides. Lookups accept dated and aliased
 * model ids (`gpt-4o-mini-2024-07-18` → `gpt-4o-mini`), Google's `models/` prefix and aggregator ids that name
 * the vendor (`openrouter:openai/gpt-4o-mini` → OpenAI's price). Local providers always cost nothing.
 */
export function createPriceTable(options: PriceTableOptions = {}): PriceTable {
  const overrideTables: Record<string, Record<string, PriceRow>> = {};
  const providerWildcards: Record<string, PriceRow> = {};
  const overrideEntries = Object.entries(options.overrides ?? {});
  for (const [key, override] of overrideEntries) {
    const separator = key.indexOf(':');
    if (separator <= 0 || separator === key.length - 1) {
      throw new ConfigurationError(`priceOverrides key "${key}" must be "provider:model" or "provider:*"`);
    }
    const provider = key.slice(0, separator);
    const model = key.slice(separator + 1);
    const row = rowFromOverride(key, override);
    if (model === '*') providerWildcards[provider] = row;
    else (overrideTables[provider] ??= {})[normaliseModel(model)] = row;
  }
  const useBuiltIn = options.builtIn ?? true;
  const version = options.version ?? (overrideEntries.length > 0 ? `${builtInPriceTableVersion}+host` : builtInPriceTableVersion);

  function findIn(
    tables: Record<string, Record<string, PriceRow>>,
    aliases: Record<string, Record<string, string>>,
    provider: string,
    model: string,
  ): { row: PriceRow; matched: string } | undefined {
    const direct = matchInTable(tables[provider], aliases[provider], model);
    if (direct !== undefined) return { row: tables[provider]![direct]!, matched: `${provider}:${direct}` };
    // `vendor/model` on an aggregator without its own row: the vendor's list price.
    const slash = model.indexOf('/');
    if (slash > 0) {
      const vendorTable = vendorPrefixes[model.slice(0, slash)];
      const rest = model.slice(slash + 1);
      if (vendorTable !== undefined && vendorTable !== provider) {
        const viaVendor = matchInTable(tables[vendorTable], aliases[vendorTable], rest);
        if (viaVendor !== undefined) return { row: tables[vendorTable]![viaVendor]!, matched: `${vendorTable}:${viaVendor}` };
        // together/deepinfra keep the vendor prefix in their own ids.
        const prefixed = matchInTable(tables[vendorTable], aliases[vendorTable], model);
        if (prefixed !== undefined) return { row: tables[vendorTable]![prefixed]!, matched: `${vendorTable}:${prefixed}` };
      }
    }
    return undefined;
  }

  // The table never changes after creation, so answers are remembered: a lookup runs on every call (and
  // twice for a priced one), and an unknown model scans every row of its provider's table. Bounded, since
  // model ids come from requests.
  const remembered = new Map<string, PriceMatch | undefined>();
  const maxRemembered = 1_000;

  function lookup(provider: string, model: string, lookupOptions: PriceLookupOptions = {}): PriceMatch | undefined {
    const key = `${provider}\u0000${model}\u0000${lookupOptions.local === true ? 1 : 0}\u0000${lookupOptions.priceProvider ?? ''}`;
    if (remembered.has(key)) return remembered.get(key);
    const match = findMatch(provider, model, lookupOptions);
    if (remembered.size >= maxRemembered) remembered.clear();
    remembered.set(key, match === undefined ? undefined : Object.freeze(match));
    return match;
  }

  function findMatch(provider: string, model: string, lookupOptions: PriceLookupOptions): PriceMatch | undefined {
    const normalised = normaliseModel(model);
    if (lookupOptions.local === true) return { price: zeroPrice, version, source: 'local', matched: `${provider}:${normalised}` };
    const providers = [provider];
    if (lookupOptions.priceProvider !== undefined && lookupOptions.priceProvider !== provider) providers.push(lookupOptions.priceProvider);
    for (const name of providers) {
      const override = findIn(overrideTables, {}, name, normalised);
      if (override !== undefined) return { price: override.row, version, source: 'override', matched: override.matched };
      const wildcard = providerWildcards[name];
      if (wildcard !== undefined) return { price: wildcard, version, source: 'override', matched: `${name}:*` };
    }
    if (!useBuiltIn) return undefined;
    for (const name of providers) {
      const builtIn = findIn(builtInPrices, builtInModelAliases, name, normalised);
      if (builtIn !== undefined) return { price: builtIn.row, version, source: 'built-in', matched: builtIn.matched };
    }
    return undefined;
  }

  return {
    version,
    lookup,
    pricing(provider, model, lookupOptions) {
      const match = lookup(provider, model, lookupOptions);
      return match === undefined ? undefined : toModelPricing(match.price);
    },
  };
}
