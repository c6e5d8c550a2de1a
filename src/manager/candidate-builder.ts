import type { PriceTable } from '../governance/price-table';
import type { RoutingCandidate } from '../routing/candidate';
import type { KeySource } from '../spec/attempt';
import type { ModelCapabilities, ModelInfo } from '../spec/model-info';
import type { LanguageModelProvider } from '../spec/provider';
import type { ResolvedModel } from './model-reference';

/** A user's own key for one provider, resolved for this request. */
export interface RequestCredential {
  /** The decrypted key (only ever passed to the provider call). */
  apiKey: string;
  /** Id of the stored key (circuits and bad-key marks are per key id). */
  keyId: string;
}

const chatCapabilities: ModelCapabilities = { tools: true, vision: true, json: true, embedding: false, reasoning: false };
const embeddingCapabilities: ModelCapabilities = { tools: false, vision: false, json: false, embedding: true, reasoning: false };

function catalogueEntry(provider: LanguageModelProvider, model: string): ModelInfo | undefined {
  const known = provider.knownModels;
  if (!known) return undefined;
  for (const entry of known) if (entry.model === model) return entry;
  return undefined;
}

/**
 * Turns resolved `provider:model` refs into routing candidates with capabilities (from the adapter's
 * catalogue; unknown models are assumed capable so the provider gets to say no), price, and whose key
 * would pay: the user's own key first, then the host's managed key; local servers need none.
 */
export function buildCandidates(
  resolved: readonly ResolvedModel[],
  kind: 'chat' | 'embedding',
  priceTable: PriceTable,
  credentials: ReadonlyMap<string, RequestCredential> | undefined,
): RoutingCandidate[] {
  const candidates: RoutingCandidate[] = [];
  for (const { provider, model } of resolved) {
    const entry = catalogueEntry(provider, model);
    const credential = credentials?.get(provider.id);
    const keySource: KeySource = provider.local ? 'local' : credential ? 'byok' : 'managed';
    const candidate: RoutingCandidate = {
      provider: provider.id,
      model,
      keySource,
      keyAvailable: provider.local || credential !== undefined || provider.hasApiKey,
      local: provider.local,
      capabilities: entry?.capabilities ?? (kind === 'embedding' ? embeddingCapabilities : chatCapabilities),
    };
    if (credential) candidate.keyId = credential.keyId;
    if (entry?.contextWindow !== undefined) candidate.contextWindow = entry.contextWindow;
    const pricing = priceTable.pricing(provider.id, model, { local: provider.local, priceProvider: provider.wireFormat }) ?? entry?.pricing;
    if (pricing) candidate.pricing = pricing;
    candidates.push(candidate);
  }
  return candidates;
}
