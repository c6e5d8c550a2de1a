/**
 * Built-in list prices in USD per million tokens, standard (non-batch, non-priority) tier, prompts under
 * any long-context threshold unless `longContext` says otherwise. `cached` is the price of a prompt-cache
 * read; when it is absent cached tokens are charged at the input price (never under-charged).
 *
 * Sources, checked 2026-11-01 against the providers' public pricing pages and mirrors of them:
 * platform.openai.com/docs/pricing, platform.claude.com/docs/en/about-claude/pricing,
 * ai.google.dev/gemini-api/docs/pricing, docs.x.ai/docs/models, api-docs.deepseek.com/quick_start/pricing,
 * cohere.com/pricing, mistral.ai/pricing, groq.com/pricing, together.ai/pricing, fireworks.ai/pricing,
 * deepinfra.com/pricing. Prices change: hosts override them with `priceOverrides`.
 */

/** One row: [input, output, cached input?] USD per million tokens, optional long-context tier. */
export interface PriceRow {
  input: number;
  output: number;
  cached?: number;
  /** Every token of a request whose prompt exceeds `thresholdTokens` is billed at these prices instead. */
  longContext?: { thresholdTokens: number; input: number; output: number; cached?: number };
}

/** Version of the built-in table; stored on every usage record it priced. */
export const builtInPriceTableVersion = '2026-11-01';

/** Date the built-in prices were last compared with the providers' pages. */
export const builtInPriceTableSourceDate = '2026-11-01';

const price = (input: number, output: number, cached?: number): PriceRow =>
  cached === undefined ? { input, output } : { input, output, cached };

/** Built-in prices per provider id, then per the provider's own model id (lower case). */
export const builtInPrices: Record<string, Record<string, PriceRow>> = {
  openai: {
    'gpt-5': price(1.25, 10, 0.125),
    'gpt-5-mini': price(0.25, 2, 0.025),
    'gpt-5-nano': price(0.05, 0.4, 0.005),
    'gpt-5-chat': price(1.25, 10, 0.125),
    'gpt-5-codex': price(1.25, 10, 0.125),
    'gpt-5-pro': price(15, 120),
    'gpt-5.1': price(1.25, 10, 0.125),
    'gpt-5.1-codex': price(1.25, 10, 0.125),
    'gpt-5.4': price(2.5, 15),
    'gpt-4.1': price(2, 8, 0.5),
    'gpt-4.1-mini': price(0.4, 1.6, 0.1),
    'gpt-4.1-nano': price(0.1, 0.4, 0.025),
    'gpt-4o': price(2.5, 10, 1.25),
    'gpt-4o-mini': price(0.15, 0.6, 0.075),
    'chatgpt-4o': price(5, 15),
    'gpt-4-turbo': price(10, 30),
    'gpt-4': price(30, 60),
    'gpt-3.5-turbo': price(0.5, 1.5),
    o1: price(15, 60, 7.5),
    'o1-mini': price(1.1, 4.4, 0.55),
    'o1-pro': price(150, 600),
    o3: price(2, 8, 0.5),
    'o3-mini': price(1.1, 4.4, 0.55),
    'o3-pro': price(20, 80),
    'o4-mini': price(1.1, 4.4, 0.275),
    'gpt-oss-120b': price(0.15, 0.6),
    'gpt-oss-20b': price(0.05, 0.2),
    'text-embedding-3-small': price(0.02, 0),
    'text-embedding-3-large': price(0.13, 0),
    'text-embedding-ada-002': price(0.1, 0),
  },
  anthropic: {
    'claude-opus-4-8': price(5, 25, 0.5),
    'claude-opus-4-7': price(5, 25, 0.5),
    'claude-opus-4-6': price(5, 25, 0.5),
    'claude-opus-4-5': price(5, 25, 0.5),
    'claude-opus-4-1': price(15, 75, 1.5),
    'claude-opus-4-0': price(15, 75, 1.5),
    'claude-opus-4': price(15, 75, 1.5),
    'claude-sonnet-5-5': price(2, 10, 0.1),
    'claude-sonnet-5': price(2, 10, 0.2),
    'claude-sonnet-4-6': price(3, 15, 0.3),
    'claude-sonnet-4-5': price(3, 15, 0.3),
    'claude-sonnet-4-0': price(3, 15, 0.3),
    'claude-sonnet-4': price(3, 15, 0.3),
    'claude-3-7-sonnet': price(3, 15, 0.3),
    'claude-3-5-sonnet': price(3, 15, 0.3),
    'claude-haiku-5-5': {
      input: 0.1,
      output: 0.5,
      cached: 0.01,
      longContext: { thresholdTokens: 100_000, input: 0.5, output: 2.5, cached: 0.05 },
    },
    'claude-haiku-4-5': price(1, 5, 0.1),
    'claude-3-5-haiku': price(0.8, 4, 0.08),
    'claude-3-haiku': price(0.25, 1.25, 0.03),
    'claude-3-opus': price(15, 75, 1.5),
  },
  google: {
    'gemini-3-pro': {
      input: 2,
      output: 12,
      cached: 0.2,
      longContext: { thresholdTokens: 200_000, input: 4, output: 18, cached: 0.4 },
    },
    'gemini-2.5-pro': {
      input: 1.25,
      output: 10,
      cached: 0.125,
      longContext: { thresholdTokens: 200_000, input: 2.5, output: 15, cached: 0.25 },
    },
    'gemini-2.5-flash': price(0.3, 2.5, 0.03),
    'gemini-2.5-flash-lite': price(0.1, 0.4, 0.01),
    'gemini-2.0-flash': price(0.1, 0.4, 0.025),
    'gemini-2.0-flash-lite': price(0.075, 0.3),
    'gemini-embedding-001': price(0.15, 0),
    'text-embedding-004': price(0, 0),
  },
  cohere: {
    'command-a': price(2.5, 10),
    'command-r-plus': price(2.5, 10),
    'command-r': price(0.15, 0.6),
    'command-r7b': price(0.0375, 0.15),
    'embed-v4.0': price(0.12, 0),
    'embed-english-v3.0': price(0.1, 0),
    'embed-multilingual-v3.0': price(0.1, 0),
  },
  mistral: {
    'mistral-large': price(2, 6),
    'mistral-medium': price(0.4, 2),
    'mistral-small': price(0.1, 0.3),
    'magistral-medium': price(2, 5),
    'magistral-small': price(0.5, 1.5),
    codestral: price(0.3, 0.9),
    'devstral-small': price(0.1, 0.3),
    'devstral-medium': price(0.4, 2),
    'ministral-8b': price(0.1, 0.1),
    'ministral-3b': price(0.04, 0.04),
    'open-mistral-nemo': price(0.15, 0.15),
    'pixtral-large': price(2, 6),
    'mistral-embed': price(0.1, 0),
  },
  groq: {
    'llama-3.3-70b-versatile': price(0.59, 0.79),
    'llama-3.1-8b-instant': price(0.05, 0.08),
    'meta-llama/llama-4-scout-17b-16e-instruct': price(0.11, 0.34),
    'meta-llama/llama-4-maverick-17b-128e-instruct': price(0.2, 0.6),
    'openai/gpt-oss-120b': price(0.15, 0.75),
    'openai/gpt-oss-20b': price(0.1, 0.5),
    'qwen/qwen3-32b': price(0.29, 0.59),
    'moonshotai/kimi-k2-instruct': price(1, 3),
    'gemma2-9b-it': price(0.2, 0.2),
  },
  deepseek: {
    // One price for both since V3.2: cache miss 0.28, cache hit 0.028, output 0.42.
    'deepseek-chat': price(0.28, 0.42, 0.028),
    'deepseek-reasoner': price(0.28, 0.42, 0.028),
  },
  xai: {
    'grok-4': price(3, 15, 0.75),
    'grok-4-fast': price(0.2, 0.5, 0.05),
    'grok-4-fast-reasoning': price(0.2, 0.5, 0.05),
    'grok-4-fast-non-reasoning': price(0.2, 0.5, 0.05),
    'grok-code-fast-1': price(0.2, 1.5, 0.02),
    'grok-3': price(3, 15, 0.75),
    'grok-3-fast': price(5, 25, 1.25),
    'grok-3-mini': price(0.3, 0.5, 0.075),
    'grok-3-mini-fast': price(0.6, 4, 0.15),
  },
  together: {
    'meta-llama/llama-3.3-70b-instruct-turbo': price(0.88, 0.88),
    'meta-llama/meta-llama-3.1-8b-instruct-turbo': price(0.18, 0.18),
    'meta-llama/meta-llama-3.1-405b-instruct-turbo': price(3.5, 3.5),
    'meta-llama/llama-4-maverick-17b-128e-instruct-fp8': price(0.27, 0.85),
    'meta-llama/llama-4-scout-17b-16e-instruct': price(0.18, 0.59),
    'deepseek-ai/deepseek-v3': price(1.25, 1.25),
    'deepseek-ai/deepseek-r1': price(3, 7),
    'qwen/qwen2.5-72b-instruct-turbo': price(1.2, 1.2),
    'qwen/qwen2.5-7b-instruct-turbo': price(0.3, 0.3),
    'openai/gpt-oss-120b': price(0.15, 0.6),
    'mistralai/mixtral-8x7b-instruct-v0.1': price(0.6, 0.6),
    'baai/bge-large-en-v1.5': price(0.02, 0),
  },
  fireworks: {
    'llama-v3p3-70b-instruct': price(0.9, 0.9),
    'llama-v3p1-8b-instruct': price(0.2, 0.2),
    'llama-v3p1-405b-instruct': price(3, 3),
    'llama4-maverick-instruct-basic': price(0.22, 0.88),
    'llama4-scout-instruct-basic': price(0.15, 0.6),
    'deepseek-v3': price(0.9, 0.9),
    'deepseek-r1': price(3, 8),
    'qwen2p5-72b-instruct': price(0.9, 0.9),
    'gpt-oss-120b': price(0.15, 0.6),
    'gpt-oss-20b': price(0.07, 0.3),
  },
  deepinfra: {
    'meta-llama/llama-3.3-70b-instruct-turbo': price(0.13, 0.39),
    'meta-llama/llama-3.3-70b-instruct': price(0.23, 0.4),
    'meta-llama/meta-llama-3.1-8b-instruct': price(0.03, 0.05),
    'meta-llama/llama-4-maverick-17b-128e-instruct-fp8': price(0.15, 0.6),
    'meta-llama/llama-4-scout-17b-16e-instruct': price(0.08, 0.3),
    'deepseek-ai/deepseek-v3': price(0.38, 0.89),
    'deepseek-ai/deepseek-r1': price(0.7, 2.4),
    'qwen/qwen2.5-72b-instruct': price(0.12, 0.39),
    'openai/gpt-oss-120b': price(0.09, 0.45),
    'baai/bge-m3': price(0.01, 0),
  },
};

/**
 * Aggregators whose model ids start with the vendor (`openai/gpt-4o-mini`): when the aggregator has no row of
 * its own, the vendor's list price is used (OpenRouter passes vendor prices through without markup).
 */
export const vendorPrefixes: Record<string, string> = {
  openai: 'openai',
  anthropic: 'anthropic',
  google: 'google',
  'meta-llama': 'together',
  mistralai: 'mistral',
  'x-ai': 'xai',
  xai: 'xai',
  deepseek: 'deepseek',
  'deepseek-ai': 'deepseek',
  cohere: 'cohere',
};

/** Model ids that are another model under a different name. */
export const builtInModelAliases: Record<string, Record<string, string>> = {
  openai: { 'gpt-5-chat-latest': 'gpt-5-chat', 'chatgpt-4o-latest': 'chatgpt-4o' },
  anthropic: {
    'claude-opus-4-1-latest': 'claude-opus-4-1',
    'claude-sonnet-4-5-latest': 'claude-sonnet-4-5',
    'claude-3-5-haiku-latest': 'claude-3-5-haiku',
    'claude-3-7-sonnet-latest': 'claude-3-7-sonnet',
  },
  google: { 'gemini-flash-latest': 'gemini-2.5-flash', 'gemini-flash-lite-latest': 'gemini-2.5-flash-lite' },
  deepseek: { 'deepseek-v3': 'deepseek-chat', 'deepseek-r1': 'deepseek-reasoner' },
  cohere: { 'command-a-03-2025': 'command-a', 'command-r-08-2024': 'command-r', 'command-r-plus-08-2024': 'command-r-plus' },
  mistral: { 'mistral-large-latest': 'mistral-large', 'mistral-small-latest': 'mistral-small' },
};
