import type { KeySource } from '../spec/attempt';
import type { ModelCapabilities, ModelPricing } from '../spec/model-info';

/**
 * One concrete place a request can go: a provider, a model and the key that would pay for it. The manager
 * builds candidates from the request's model refs, the user's fallback rules and the default chain; the
 * selector orders them and the fallback executor tries them.
 */
export interface RoutingCandidate {
  /** Provider instance id (`openai`, `groq`, `my-vllm`). */
  provider: string;
  /** The provider's own model id (no `provider:` prefix). */
  model: string;
  /**
   * Id of the key this candidate would use (a vault key id, or a label for a managed key); circuits and
   * "bad key" marks are kept per key, so two keys for one model fail independently. Never the key itself.
   */
  keyId?: string;
  /** Whose key pays: the user's own (`byok`), the host's (`managed`), or none needed (`local`). */
  keySource: KeySource;
  /**
   * False when no usable key exists for this candidate (no BYOK key and the adapter has no managed key).
   * Such candidates are skipped by the selector. Defaults to true; local candidates never need one.
   */
  keyAvailable?: boolean;
  /** Runs on a local server: costs nothing and never leaves the machine. */
  local: boolean;
  /** Context window in tokens, when known. */
  contextWindow?: number;
  /** What the model can do. */
  capabilities: ModelCapabilities;
  /** Price in USD per million tokens, when known (local models: omit or zeros). */
  pricing?: ModelPricing;
  /** Relative weight for `weighted-random` among equivalent deployments (default 1). */
  weight?: number;
  /**
   * Name of the group of equivalent deployments this candidate belongs to (several keys or endpoints
   * serving one model). `round-robin` and `weighted-random` rotate within a group. Defaults to `model`.
   */
  deploymentGroup?: string;
}

/** `provider:model`, as shown in explanations and attempts. */
export function candidateReference(candidate: Pick<RoutingCandidate, 'provider' | 'model'>): string {
  return `${candidate.provider}:${candidate.model}`;
}

/** The key an attempt's circuit and health are kept under: provider, model and key id. */
export function candidateIdentity(candidate: Pick<RoutingCandidate, 'provider' | 'model' | 'keyId' | 'keySource'>): string {
  return `${candidate.provider}:${candidate.model}#${candidate.keyId ?? candidate.keySource}`;
}

/** The key a "bad key" mark is kept under: provider and key id (a rejected key is bad for every model). */
export function keyIdentity(candidate: Pick<RoutingCandidate, 'provider' | 'keyId' | 'keySource'>): string {
  return `${candidate.provider}#${candidate.keyId ?? candidate.keySource}`;
}
