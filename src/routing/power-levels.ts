/** How much a request is willing to pay for quality: `eco` favours price, `precision` favours quality. */
export type PowerLevel = 'eco' | 'balanced' | 'precision';

/** Weight of each criterion in a candidate's total score; normalised to sum to 1. */
export interface ScoreWeights {
  /** Availability and recent error rate. */
  health: number;
  /** Latency (EWMA of recent calls). */
  latency: number;
  /** Estimated price of this request. */
  cost: number;
  /** How well the model fits the request (context headroom, capabilities). */
  capability: number;
  /** Quality prior of the model for the detected task. */
  quality: number;
}

/** The weights behind each power level (see docs/routing.md). */
export const powerLevelWeights: Readonly<Record<PowerLevel, Readonly<ScoreWeights>>> = {
  eco: { health: 0.2, latency: 0.1, cost: 0.45, capability: 0.1, quality: 0.15 },
  balanced: { health: 0.2, latency: 0.15, cost: 0.25, capability: 0.1, quality: 0.3 },
  precision: { health: 0.2, latency: 0.05, cost: 0.05, capability: 0.1, quality: 0.6 },
};

/** The weights for a power level with optional overrides, normalised to sum to 1. */
export function weightsFor(level: PowerLevel = 'balanced', override: Partial<ScoreWeights> = {}): ScoreWeights {
  const merged: ScoreWeights = { ...powerLevelWeights[level], ...override };
  const sum = merged.health + merged.latency + merged.cost + merged.capability + merged.quality;
  if (!(sum > 0)) return { ...powerLevelWeights.balanced };
  return {
    health: merged.health / sum,
    latency: merged.latency / sum,
    cost: merged.cost / sum,
    capability: merged.capability / sum,
    quality: merged.quality / sum,
  };
}
