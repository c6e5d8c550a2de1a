import type { ProviderChatResult } from './chat';
import type { Attempt, KeySource } from './attempt';
import type { StreamSplice } from './stream';
import type { Usage } from './usage';

/** What a call cost. */
export interface Cost {
  /** Total in USD (markup included for managed keys; 0 for local models, cache hits and unknown prices). */
  usd: number;
  /** Version of the price table the cost was computed with. */
  priceTableVersion?: string;
  /** False when no price was known for the model (cost is then 0 and should not be trusted). */
  priced: boolean;
}

/** Why one candidate was picked or skipped. */
export interface CandidateExplanation {
  /** `provider:model`. */
  candidate: string;
  /** Score 0–100 when scored. */
  score?: number;
  /** Partial scores by criterion (health, latency, cost, capability, quality). */
  scores?: Record<string, number>;
  /** `selected`, `fallback` (ranked after the selected one) or `skipped`. */
  decision: 'selected' | 'fallback' | 'skipped';
  /** Human-readable reason. */
  reason: string;
}

/** How the manager decided where to send the call. */
export interface RoutingExplanation {
  /** Strategy that ordered the candidates. */
  strategy: string;
  /** Detected or given task type, when the selector used one. */
  task?: string;
  /** Every candidate considered, in the order tried. */
  candidates: CandidateExplanation[];
}

/** What `llm.chat()` returns. */
export interface ChatResult extends ProviderChatResult {
  /** Provider id that served the answer. */
  provider: string;
  /** Model that served the answer (the provider's own id). */
  model: string;
  /** Whose key paid for it. */
  keySource: KeySource;
  /** True when the answer came from the response cache. */
  cached: boolean;
  /** Every attempt made, in order, including failures. */
  attempts: Attempt[];
  /** How the candidates were chosen. */
  routing: RoutingExplanation;
  /** What it cost. */
  cost: Cost;
  /** Wall time of the whole call, in milliseconds. */
  latencyMs: number;
  /** Usage of the serving attempt (failed attempts are in the ledger, not here). */
  usage: Usage;
  /** Id of the call; its usage records are `<requestId>:<n>`. */
  requestId: string;
  /** Where a stream continued on another candidate after a failure (`streamFallback: 'continue'`); absent otherwise. */
  splices?: StreamSplice[];
}

/** What `llm.embed()` returns. */
export interface EmbedResult {
  /** One vector per input, in input order. */
  embeddings: number[][];
  /** Length of each vector. */
  dimensions: number;
  /** Tokens counted. */
  usage: { inputTokens: number; estimated?: boolean };
  /** Provider id that served it. */
  provider: string;
  /** Model that served it. */
  model: string;
  /** Whose key paid for it. */
  keySource: KeySource;
  /** Every attempt made. */
  attempts: Attempt[];
  /** What it cost. */
  cost: Cost;
  /** Wall time, in milliseconds. */
  latencyMs: number;
}
