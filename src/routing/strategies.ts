import type { RoutingCandidate } from './candidate';
import type { CandidateScores } from './candidate-score';

/**
 * How eligible candidates are ordered: `priority` keeps the given order; `cost`, `latency` and
 * `balanced` sort by that score (balanced: the weighted total); `round-robin` and `weighted-random`
 * keep groups in the given order and rotate (or draw by `weight`) among equivalent deployments.
 */
export type RoutingStrategy = 'priority' | 'cost' | 'latency' | 'balanced' | 'round-robin' | 'weighted-random';

/** All strategy names. */
export const routingStrategies: readonly RoutingStrategy[] = ['priority', 'cost', 'latency', 'balanced', 'round-robin', 'weighted-random'];

/** A candidate with its original position and scores. */
export interface ScoredCandidate {
  /** The candidate. */
  candidate: RoutingCandidate;
  /** Position in the input list (its priority). */
  index: number;
  /** Its scores. */
  scores: CandidateScores;
}

/** Rotation counters for round-robin, one per deployment group; kept by the selector across requests. */
export type RoundRobinState = Map<string, number>;

function groupOf(candidate: RoutingCandidate): string {
  return candidate.deploymentGroup ?? candidate.model;
}

function byGroups(scored: ScoredCandidate[], arrange: (group: ScoredCandidate[], name: string) => ScoredCandidate[]): ScoredCandidate[] {
  const groups = new Map<string, ScoredCandidate[]>();
  for (const item of [...scored].sort((a, b) => a.index - b.index)) {
    const name = groupOf(item.candidate);
    groups.set(name, [...(groups.get(name) ?? []), item]);
  }
  return [...groups.entries()].flatMap(([name, group]) => (group.length > 1 ? arrange(group, name) : group));
}

/** Orders scored candidates by the strategy. */
export function orderByStrategy(
  scored: readonly ScoredCandidate[],
  strategy: RoutingStrategy,
  state: { roundRobin: RoundRobinState; random: () => number },
): ScoredCandidate[] {
  const tieBreak = (a: ScoredCandidate, b: ScoredCandidate): number => b.scores.total - a.scores.total || a.index - b.index;
  switch (strategy) {
    case 'priority':
      return [...scored].sort((a, b) => a.index - b.index);
    case 'cost':
      return [...scored].sort((a, b) => b.scores.cost - a.scores.cost || tieBreak(a, b));
    case 'latency':
      return [...scored].sort((a, b) => b.scores.latency - a.scores.latency || tieBreak(a, b));
    case 'balanced':
      return [...scored].sort(tieBreak);
    case 'round-robin':
      return byGroups([...scored], (group, name) => {
        const turn = state.roundRobin.get(name) ?? 0;
        state.roundRobin.set(name, turn + 1);
        const start = turn % group.length;
        return [...group.slice(start), ...group.slice(0, start)];
      });
    case 'weighted-random':
      // Efraimidis–Spirakis: sorting by random^(1/weight) draws without replacement proportionally to weight.
      return byGroups([...scored], (group) =>
        group
          .map((item) => ({ item, key: state.random() ** (1 / Math.max(item.candidate.weight ?? 1, 1e-9)) }))
          .sort((a, b) => b.key - a.key)
          .map(({ item }) => item),
      );
  }
}
