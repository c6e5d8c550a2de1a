import { ConfigurationError } from '../errors/configuration-error';
import type { KeySource } from '../spec/attempt';
import { candidateReference, type RoutingCandidate } from './candidate';
import { capabilityMismatch, readScoringSnapshot, requirementsOf, scoreFromSnapshot, type CandidateScores, type RequestRequirements, type SelectionRequest } from './candidate-score';
import type { CircuitBreaker } from './circuit-breaker';
import type { HealthTracker } from './health-tracker';
import { weightsFor, type PowerLevel, type ScoreWeights } from './power-levels';
import type { QualityPriorTable } from './quality-priors';
import { orderByStrategy, routingStrategies, type RoundRobinState, type RoutingStrategy, type ScoredCandidate } from './strategies';
import { detectTask, type TaskType } from './task-detection';

/** What one selection takes: the request, its candidates and per-request routing overrides. */
export interface SelectInput extends SelectionRequest {
  /** Candidates in priority order (request models, user fallback rules, default chain). */
  candidates: readonly RoutingCandidate[];
  /** Ordering strategy (default: the selector's, else `priority`). */
  strategy?: RoutingStrategy;
  /** Power level (default: the selector's, else `balanced`). */
  powerLevel?: PowerLevel;
  /** Task, overriding detection. */
  task?: TaskType;
  /** Weight overrides on top of the power level. */
  weights?: Partial<ScoreWeights>;
  /** `local-only` never leaves local providers. */
  privacy?: 'any' | 'local-only';
  /**
   * Models the user's tier may use: `provider:model`, `provider:*`, a bare model id, or `*`; globs with
   * `*` anywhere. Undefined allows everything.
   */
  allowedModels?: readonly string[];
}

/** One candidate in the explanation. */
export interface CandidateDecision {
  /** `provider:model`. */
  candidate: string;
  /** Whose key it would use. */
  keySource: KeySource;
  /** Key id, when it has one. */
  keyId?: string;
  /** Total score 0–100 (eligible candidates only). */
  score?: number;
  /** Scores per criterion. */
  scores?: Record<string, number>;
  /** `selected` (tried first), `fallback` (tried after it, in this order) or `skipped` (never tried). */
  decision: 'selected' | 'fallback' | 'skipped';
  /** Why, in words. */
  reason: string;
}

/** Why the candidates were ordered as they were; this is `result.routing`. */
export interface SelectionExplanation {
  /** Strategy that ordered the candidates. */
  strategy: RoutingStrategy;
  /** Power level whose weights were used. */
  powerLevel: PowerLevel;
  /** Task used for the quality prior. */
  task: TaskType;
  /** Whether the task was `detected` or `given`. */
  taskSource: 'detected' | 'given';
  /** Detection signals. */
  taskSignals: string[];
  /** What the request needs. */
  requirements: RequestRequirements;
  /** The normalised weights. */
  weights: ScoreWeights;
  /** Every candidate: the ordered ones first (in the order they will be tried), then the skipped ones. */
  candidates: CandidateDecision[];
}

/** The selector's answer. */
export interface Selection {
  /** Eligible candidates in the order to try them. */
  candidates: RoutingCandidate[];
  /** The explanation. */
  explanation: SelectionExplanation;
}

/** Selector settings shared by all requests. */
export interface SelectorOptions {
  /** Default strategy (default `priority`: the configured fallback order is respected). */
  strategy?: RoutingStrategy;
  /** Default power level (default `balanced`). */
  powerLevel?: PowerLevel;
  /** Health for the health and latency scores. */
  health?: Pick<HealthTracker, 'candidate'> & Partial<Pick<HealthTracker, 'summary'>>;
  /** Circuits: open candidates are scored 0 on health and ordered last. */
  breaker?: Pick<CircuitBreaker, 'peek'>;
  /** The host's quality priors. */
  qualityPriors?: QualityPriorTable;
  /** Random source for weighted-random (default Math.random). */
  random?: () => number;
}

/** Scores, filters and orders candidates, and explains it. */
export interface Selector {
  /** Orders the request's candidates. */
  select(input: SelectInput): Selection;
}

function globToPattern(glob: string): RegExp {
  const escaped = glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`);
}

/** Whether `candidate` is in an allow-list of `provider:model`, `provider:*`, bare model ids and globs. */
export function isModelAllowed(candidate: Pick<RoutingCandidate, 'provider' | 'model'>, allowed: readonly string[]): boolean {
  const reference = candidateReference(candidate);
  return allowed.some((entry) => {
    const pattern = globToPattern(entry);
    return pattern.test(reference) || (!entry.includes(':') && pattern.test(candidate.model));
  });
}

function describeScores(scores: CandidateScores): string {
  return `total ${scores.total} (health ${scores.health}, latency ${scores.latency}, cost ${scores.cost}, capability ${scores.capability}, quality ${scores.quality})`;
}

/** Creates a selector; one per manager (it keeps the round-robin rotation). */
export function createSelector(options: SelectorOptions = {}): Selector {
  const roundRobin: RoundRobinState = new Map();
  const random = options.random ?? Math.random;

  return {
    select(input) {
      const strategy = input.strategy ?? options.strategy ?? 'priority';
      if (!routingStrategies.includes(strategy)) throw new ConfigurationError(`routing strategy must be one of ${routingStrategies.join(', ')} (got ${String(strategy)})`);
      const powerLevel = input.powerLevel ?? options.powerLevel ?? 'balanced';
      if (!['eco', 'balanced', 'precision'].includes(powerLevel)) throw new ConfigurationError(`powerLevel must be eco, balanced or precision (got ${String(powerLevel)})`);
      const requirements = requirementsOf(input);

      // Most calls skip nothing and order by priority: then the eligible list is the input itself until the
      // answer is made.
      let skipped: CandidateDecision[] | undefined;
      let eligibleIndexes: number[] | undefined;
      const given = input.candidates;
      for (let index = 0; index < given.length; index++) {
        const candidate = given[index]!;
        let reason: string | undefined;
        if (input.privacy === 'local-only' && !candidate.local) reason = 'privacy local-only: provider is not local';
        else if (input.allowedModels && !isModelAllowed(candidate, input.allowedModels)) reason = 'not among the models allowed for this tier';
        else if (!candidate.local && candidate.keyAvailable === false) reason = 'no usable key (no own key and no managed key)';
        else reason = capabilityMismatch(candidate, requirements);
        if (reason) {
          const decision: CandidateDecision = { candidate: candidateReference(candidate), keySource: candidate.keySource, decision: 'skipped', reason };
          if (candidate.keyId !== undefined) decision.keyId = candidate.keyId;
          (skipped ??= []).push(decision);
          eligibleIndexes ??= Array.from({ length: index }, (_, earlier) => earlier);
        } else {
          eligibleIndexes?.push(index);
        }
      }
      const eligibleCandidates: readonly RoutingCandidate[] = eligibleIndexes === undefined ? given : eligibleIndexes.map((index) => given[index]!);
      const indexOf = (position: number): number => (eligibleIndexes === undefined ? position : eligibleIndexes[position]!);
      // Health and circuits are read now, once: the order depends on them, and the scores in the
      // explanation are as of this moment even when they are computed later.
      const snapshot = readScoringSnapshot(eligibleCandidates, { health: options.health, breaker: options.breaker });
      let detection: { task: TaskType; signals: string[] } | undefined;
      let scores: CandidateScores[] | undefined;
      const scoresOf = (): CandidateScores[] => {
        detection ??= input.task ? { task: input.task, signals: [] as string[] } : detectTask(input);
        return (scores ??= scoreFromSnapshot(eligibleCandidates, snapshot, {
          requirements,
          maxTokens: input.maxTokens,
          task: detection.task,
          weights: weightsFor(powerLevel, input.weights),
          qualityPriors: options.qualityPriors,
        }));
      };

      // Positions (into the eligible list) in the order to try them. The configured order needs no scores:
      // they only explain, so they are computed when read.
      let order: number[] | undefined;
      if (strategy !== 'priority') {
        const all = scoresOf();
        const scored: Array<ScoredCandidate & { position: number }> = eligibleCandidates.map((candidate, position) => ({ candidate, index: indexOf(position), position, scores: all[position]! }));
        order = (orderByStrategy(scored, strategy, { roundRobin, random }) as typeof scored).map((item) => item.position);
      }
      // Candidates whose circuit is open go last whatever the strategy: the executor may still wait for them.
      const circuits = snapshot.circuits;
      const blockedAt = (position: number): boolean => circuits[position]?.allowed === false;
      let anyBlocked = false;
      for (let position = 0; position < circuits.length; position++) if (blockedAt(position)) anyBlocked = true;
      if (anyBlocked) {
        const positions = order ?? eligibleCandidates.map((_, position) => position);
        order = [...positions.filter((position) => !blockedAt(position)), ...positions.filter(blockedAt)];
      }
      const ordered: readonly RoutingCandidate[] = order === undefined ? eligibleCandidates : order.map((position) => eligibleCandidates[position]!);

      const explain = (): SelectionExplanation => {
        const all = scoresOf();
        const decisions: CandidateDecision[] = ordered.map((candidate, rank) => {
          const position = order === undefined ? rank : order[rank]!;
          const itemScores = all[position]!;
          const { total, ...criteria } = itemScores;
          let reason = rank === 0 ? `first by ${strategy}` : `rank ${rank + 1} by ${strategy}`;
          if (strategy !== 'priority') reason += `: ${describeScores(itemScores)}`;
          if (blockedAt(position)) reason += ' — circuit open, tried last';
          const decision: CandidateDecision = {
            candidate: candidateReference(candidate),
            keySource: candidate.keySource,
            score: total,
            scores: criteria,
            decision: rank === 0 ? 'selected' : 'fallback',
            reason,
          };
          if (candidate.keyId !== undefined) decision.keyId = candidate.keyId;
          return decision;
        });
        return {
          strategy,
          powerLevel,
          task: detection!.task,
          taskSource: input.task ? 'given' : 'detected',
          taskSignals: detection!.signals,
          requirements,
          weights: weightsFor(powerLevel, input.weights),
          candidates: skipped === undefined ? decisions : [...decisions, ...skipped],
        };
      };

      let explanation: SelectionExplanation | undefined;
      return {
        // A list of the caller's own: the input is never handed back.
        candidates: ordered === given ? given.slice() : (ordered as RoutingCandidate[]),
        // Built on first read (most callers never read it): task detection and scoring cost more than
        // the priority order itself. An assignment replaces it.
        get explanation(): SelectionExplanation {
          return (explanation ??= explain());
        },
        set explanation(value: SelectionExplanation) {
          explanation = value;
        },
      };
    },
  };
}
