import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/errors/configuration-error';
import { builtInPriceTableVersion, createPriceTable } from '../../src/governance/price-table';
import { builtInPrices } from '../../src/governance/price-table-data';

describe('price table', () => {
  const table = createPriceTable();

  it('has a dated version and prices for the common models of every provider and preset', () => {
    expect(table.version).toBe(builtInPriceTableVersion);
    expect(builtInPriceTableVersion).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const expected = [
      'openai:gpt-4o', 'openai:gpt-4o-mini', 'openai:gpt-4.1', 'openai:gpt-4.1-mini', 'openai:gpt-4.1-nano',
      'openai:o3', 'openai:o4-mini', 'openai:gpt-5', 'openai:gpt-5-mini', 'openai:gpt-5-nano',
      'openai:text-embedding-3-small', 'anthropic:claude-haiku-4-5', 'anthropic:claude-sonnet-4-5',
      'anthropic:claude-opus-4-1', 'google:gemini-2.5-pro', 'google:gemini-2.5-flash', 'google:gemini-2.5-flash-lite',
      'google:gemini-embedding-001', 'cohere:command-a', 'cohere:command-r', 'cohere:embed-v4.0',
      'mistral:mistral-large', 'groq:llama-3.3-70b-versatile', 'deepseek:deepseek-chat', 'deepseek:deepseek-reasoner',
      'xai:grok-3', 'xai:grok-3-mini', 'xai:grok-4', 'together:meta-llama/llama-3.3-70b-instruct-turbo',
      'fireworks:llama-v3p3-70b-instruct', 'deepinfra:meta-llama/llama-3.3-70b-instruct-turbo',
    ];
    for (const reference of expected) {
      const [provider, ...rest] = reference.split(':');
      const match = table.lookup(provider!, rest.join(':'));
      expect(match, reference).toBeDefined();
      expect(match!.source).toBe('built-in');
    }
    for (const [provider, models] of Object.entries(builtInPrices)) {
      for (const [model, row] of Object.entries(models)) {
        expect(row.input, `${provider}:${model}`).toBeGreaterThanOrEqual(0);
        expect(row.output, `${provider}:${model}`).toBeGreaterThanOrEqual(0);
        if (row.cached !== undefined) expect(row.cached, `${provider}:${model}`).toBeLessThanOrEqual(row.input);
      }
    }
  });

  it('matches dated and aliased model ids to their base model, longest first', () => {
    expect(table.lookup('openai', 'gpt-4o-mini-2024-07-18')?.matched).toBe('openai:gpt-4o-mini');
    expect(table.lookup('openai', 'gpt-4o-2024-08-06')?.matched).toBe('openai:gpt-4o');
    expect(table.lookup('openai', 'gpt-4.1-nano-2025-04-14')?.matched).toBe('openai:gpt-4.1-nano');
    expect(table.lookup('anthropic', 'claude-sonnet-4-5-20250929')?.matched).toBe('anthropic:claude-sonnet-4-5');
    expect(table.lookup('anthropic', 'claude-haiku-4-5-20251001')?.price).toMatchObject({ input: 1, output: 5 });
    expect(table.lookup('anthropic', 'claude-opus-4-1-20250805')?.matched).toBe('anthropic:claude-opus-4-1');
    expect(table.lookup('anthropic', 'claude-3-5-haiku-latest')?.matched).toBe('anthropic:claude-3-5-haiku');
    expect(table.lookup('google', 'models/gemini-2.5-flash')?.matched).toBe('google:gemini-2.5-flash');
    expect(table.lookup('google', 'gemini-2.5-flash-preview-05-20')?.matched).toBe('google:gemini-2.5-flash');
    expect(table.lookup('google', 'gemini-2.5-flash-lite')?.matched).toBe('google:gemini-2.5-flash-lite');
    expect(table.lookup('xai', 'grok-4-0709')?.matched).toBe('xai:grok-4');
    expect(table.lookup('openai', 'GPT-4o-Mini')?.matched).toBe('openai:gpt-4o-mini');
    expect(table.lookup('deepseek', 'deepseek-v3')?.matched).toBe('deepseek:deepseek-chat');
  });

  it('does not mistake a different model for a dated one', () => {
    // gpt-4o-mini-tts is not gpt-4o-mini; claude-opus-4-9 is not claude-opus-4.
    expect(table.lookup('openai', 'gpt-4o-mini-tts')).toBeUndefined();
    expect(table.lookup('anthropic', 'claude-opus-4-9')).toBeUndefined();
    expect(table.lookup('openai', 'unknown-model')).toBeUndefined();
    expect(table.lookup('nowhere', 'gpt-4o')).toBeUndefined();
  });

  it('prices aggregator ids that name the vendor at the vendor price', () => {
    const viaOpenRouter = table.lookup('openrouter', 'openai/gpt-4o-mini');
    expect(viaOpenRouter?.matched).toBe('openai:gpt-4o-mini');
    expect(table.lookup('openrouter', 'anthropic/claude-sonnet-4-5')?.matched).toBe('anthropic:claude-sonnet-4-5');
    // Groq has its own price for gpt-oss, which wins over the vendor's.
    expect(table.lookup('groq', 'openai/gpt-oss-120b')?.matched).toBe('groq:openai/gpt-oss-120b');
    // An instance id falls back to its preset's table.
    expect(table.lookup('my-groq', 'llama-3.1-8b-instant', { priceProvider: 'groq' })?.matched).toBe('groq:llama-3.1-8b-instant');
  });

  it('makes local providers free whatever the table says', () => {
    const match = table.lookup('ollama', 'llama3.2', { local: true });
    expect(match?.source).toBe('local');
    expect(match?.price).toMatchObject({ input: 0, output: 0 });
    expect(table.lookup('openai', 'gpt-4o', { local: true })?.price.input).toBe(0);
  });

  it('lets the host override single models and whole providers, and versions the result', () => {
    const custom = createPriceTable({
      overrides: {
        'openai:gpt-4o-mini': { inputPerMillion: 0.1, outputPerMillion: 0.5, cachedInputPerMillion: 0.05 },
        'my-vllm:*': { inputPerMillion: 0.01, outputPerMillion: 0.02 },
      },
    });
    expect(custom.version).toBe(`${builtInPriceTableVersion}+host`);
    const overridden = custom.lookup('openai', 'gpt-4o-mini-2024-07-18');
    expect(overridden).toMatchObject({ source: 'override', price: { input: 0.1, output: 0.5, cached: 0.05 } });
    expect(custom.lookup('openai', 'gpt-4o')?.source).toBe('built-in');
    expect(custom.lookup('my-vllm', 'qwen2.5-7b')).toMatchObject({ source: 'override', matched: 'my-vllm:*' });
    expect(custom.pricing('openai', 'gpt-4o-mini')).toEqual({ inputPerMillion: 0.1, outputPerMillion: 0.5, cachedInputPerMillion: 0.05 });
    expect(createPriceTable({ overrides: {}, version: 'prices-v7' }).version).toBe('prices-v7');
    expect(createPriceTable({ builtIn: false }).lookup('openai', 'gpt-4o')).toBeUndefined();
  });

  it('rejects bad overrides with a ConfigurationError naming the field', () => {
    expect(() => createPriceTable({ overrides: { 'gpt-4o': { inputPerMillion: 1, outputPerMillion: 1 } } })).toThrow(ConfigurationError);
    expect(() => createPriceTable({ overrides: { 'openai:gpt-4o': { inputPerMillion: -1, outputPerMillion: 1 } } })).toThrow(
      /inputPerMillion/,
    );
    expect(() =>
      createPriceTable({ overrides: { 'openai:gpt-4o': { inputPerMillion: 1, outputPerMillion: Number.NaN } } }),
    ).toThrow(/outputPerMillion/);
  });
});
