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
      // Health and circuits are read now, once: the order depends on them, and the scores in the
      // explanation are as of this moment even when they are computed later.
      const basis: SelectionBasis = {
        input, strategy, powerLevel, requirements, skipped, eligible: eligibleCandidates, order: undefined,
        snapshot: readScoringSnapshot(eligibleCandidates, { health: options.health, breaker: options.breaker }),
        qualityPriors: options.qualityPriors, detection: undefined, scores: undefined,
      };

      // Positions (into the eligible list) in the order to try them. The configured order needs no scores:
      // they only explain, so they are computed when read.
      if (strategy !== 'priority') {
        const all = scoresOf(basis);
        const scored: Array<ScoredCandidate & { position: number }> = eligibleCandidates.map((candidate, position) => ({
          candidate, index: eligibleIndexes === undefined ? position : eligibleIndexes[position]!, position, scores: all[position]!,
        }));
        basis.order = (orderByStrategy(scored, strategy, { roundRobin, random }) as typeof scored).map((item) => item.position);
      }
      // Candidates whose circuit is open go last whatever the strategy: the executor may still wait for them.
      const circuits = basis.snapshot.circuits;
      let anyBlocked = false;
      for (let position = 0; position < circuits.length; position++) if (blockedAt(basis, position)) anyBlocked = true;
      if (anyBlocked) {
        const positions = basis.order ?? eligibleCandidates.map((_, position) => position);
        basis.order = [...positions.filter((position) => !blockedAt(basis, position)), ...positions.filter((position) => blockedAt(basis, position))];
      }
      const order = basis.order;
      // A list of the caller's own: the input is never handed back.
      return new OrderedSelection(order === undefined ? eligibleCandidates.slice() : order.map((position) => eligibleCandidates[position]!), basis);
    },
  };
}

/** What a selection's explanation is built from, kept until it is read. */
interface SelectionBasis {
  input: SelectInput;
  strategy: RoutingStrategy;
  powerLevel: PowerLevel;
  requirements: RequestRequirements;
  skipped: CandidateDecision[] | undefined;
  eligible: readonly RoutingCandidate[];
  /** Positions into `eligible` in the order to try them; undefined for the eligible order itself. */
  order: number[] | undefined;
  snapshot: ReturnType<typeof readScoringSnapshot>;
  qualityPriors: QualityPriorTable | undefined;
  detection: { task: TaskType; signals: string[] } | undefined;
  scores: CandidateScores[] | undefined;
}

const blockedAt = (basis: SelectionBasis, position: number): boolean => basis.snapshot.circuits[position]?.allowed === false;

function scoresOf(basis: SelectionBasis): CandidateScores[] {
  const input = basis.input;
  basis.detection ??= input.task ? { task: input.task, signals: [] as string[] } : detectTask(input);
  return (basis.scores ??= scoreFromSnapshot(basis.eligible, basis.snapshot, {
    requirements: basis.requirements,
    maxTokens: input.maxTokens,
    task: basis.detection.task,
    weights: weightsFor(basis.powerLevel, input.weights),
    qualityPriors: basis.qualityPriors,
  }));
}

function explain(basis: SelectionBasis, ordered: readonly RoutingCandidate[]): SelectionExplanation {
  const { strategy, order, input } = basis;
  const all = scoresOf(basis);
  const decisions: CandidateDecision[] = ordered.map((candidate, rank) => {
    const position = order === undefined ? rank : order[rank]!;
    const itemScores = all[position]!;
    const { total, ...criteria } = itemScores;
    let reason = rank === 0 ? `first by ${strategy}` : `rank ${rank + 1} by ${strategy}`;
    if (strategy !== 'priority') reason += `: ${describeScores(itemScores)}`;
    if (blockedAt(basis, position)) reason += ' — circuit open, tried last';
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
    powerLevel: basis.powerLevel,
    task: basis.detection!.task,
    taskSource: input.task ? 'given' : 'detected',
    taskSignals: basis.detection!.signals,
    requirements: basis.requirements,
    weights: weightsFor(basis.powerLevel, input.weights),
    candidates: basis.skipped === undefined ? decisions : [...decisions, ...basis.skipped],
  };
}

/**
 * The selector's answer. The explanation is built on first read (most callers never read it): task
 * detection and scoring cost more than the priority order itself; an assignment replaces it. A class, so
 * the accessors are shared rather than made for every call.
 */
class OrderedSelection implements Selection {
  readonly candidates: RoutingCandidate[];
  #basis: SelectionBasis | undefined;
  #explanation: SelectionExplanation | undefined;

  constructor(candidates: RoutingCandidate[], basis: SelectionBasis) {
    this.candidates = candidates;
    this.#basis = basis;
  }

  get explanation(): SelectionExplanation {
    if (this.#explanation === undefined) {
      // Explained against the order as chosen, even if a caller has since changed its copy of the list.
      this.#explanation = explain(this.#basis!, this.#basis!.order === undefined ? this.#basis!.eligible : this.#basis!.order.map((position) => this.#basis!.eligible[position]!));
      this.#basis = undefined;
    }
    return this.#explanation;
  }

  set explanation(value: SelectionExplanation) {
    this.#explanation = value;
    this.#basis = undefined;
  }
}
