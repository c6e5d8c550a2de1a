import { z } from 'zod';
import { ConfigurationError } from '../errors/configuration-error';
import type { LanguageModelProvider } from '../spec/provider';
import type { ManagerHooks } from './manager-hooks';

/** Routing settings of the manager. */
export interface RoutingOptions {
  /** Default fallback chain of model refs, tried after the request's own model(s). */
  fallback?: string[];
  /** What a stream does when its provider fails after content was sent: end with an error, or continue elsewhere. */
  streamFallback?: 'error' | 'continue';
  /** Retries per candidate for retryable errors (default 2). */
  maxRetries?: number;
}

/** What `createLLMManager()` takes. */
export interface LLMManagerOptions {
  /** Provider adapters (`createOpenAI(...)`, `createOllama()`, …). Ids must be unique. */
  providers: LanguageModelProvider[];
  /** Model ref used when a request names none (default: the first fallback, else the first provider's default). */
  defaultModel?: string;
  /** Fallback and retry settings. */
  routing?: RoutingOptions;
  /** Deadline for one call across all attempts, in milliseconds (default 60 000). */
  timeoutMs?: number;
  /** Logging and metrics hooks. */
  hooks?: ManagerHooks;
  /** The fetch to use; default `globalThis.fetch` read at call time (the pooled undici transport in Node). */
  fetch?: typeof globalThis.fetch;
}

const providerSchema = z.custom<LanguageModelProvider>(
  (value) =>
    typeof value === 'object' && value !== null && typeof (value as LanguageModelProvider).id === 'string' &&
    typeof (value as LanguageModelProvider).chat === 'function' && typeof (value as LanguageModelProvider).stream === 'function',
  { message: 'must be a provider adapter (createOpenAI(), createOllama(), …)' },
);

const hookSchema = z.custom<(...args: unknown[]) => void>((value) => typeof value === 'function', { message: 'must be a function' }).optional();

export const managerOptionsSchema = z.object({
  providers: z.array(providerSchema).min(1, 'configure at least one provider'),
  defaultModel: z.string().min(1).optional(),
  routing: z
    .object({
      fallback: z.array(z.string().min(1)).optional(),
      streamFallback: z.enum(['error', 'continue']).optional(),
      maxRetries: z.number().int().min(0).max(10).optional(),
    })
    .optional(),
  timeoutMs: z.number().int().positive().optional(),
  hooks: z.object({ onRequest: hookSchema, onResponse: hookSchema, onError: hookSchema, onFallback: hookSchema }).optional(),
  fetch: z.custom<typeof fetch>((value) => typeof value === 'function', { message: 'must be a fetch function' }).optional(),
});

/** Validates manager options; throws ConfigurationError naming the bad field. */
export function validateManagerOptions(options: LLMManagerOptions): void {
  const parsed = managerOptionsSchema.safeParse(options);
  if (parsed.success) return;
  const problems = parsed.error.issues.slice(0, 5).map((issue) => `${issue.path.map(String).join('.') || 'options'}: ${issue.message}`);
  throw new ConfigurationError(`Invalid createLLMManager options: ${problems.join('; ')}`);
}
