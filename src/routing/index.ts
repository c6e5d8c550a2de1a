export { candidateReference, candidateIdentity, keyIdentity, type RoutingCandidate } from './candidate';
export { systemClock, abortReason, type RoutingClock, type RoutingTimer } from './clock';
export { decideErrorAction, errorActionTable, type ErrorAction, type ErrorDecision, type ErrorActionOptions, type ErrorActionRule } from './error-action';
export { resolveRetryPolicy, backoffDelay, type RetryPolicy, type ResolvedRetryPolicy } from './retry-policy';
export { createCircuitBreaker, type CircuitBreaker, type CircuitBreakerOptions, type CircuitPermission, type CircuitSnapshot, type CircuitState } from './circuit-breaker';
export { executeWithFallback, attemptsOf, type ExecuteWithFallbackOptions, type FallbackResult, type FallbackEvent, type AttemptContext } from './fallback-executor';
export {
  streamWithFallback,
  isContentPart,
  type StreamWithFallbackOptions,
  type FallbackStream,
  type StreamOutcome,
  type StreamSplice,
  type StreamSplicePart,
  type RoutedStreamPart,
  type StreamFallbackPolicy,
} from './stream-fallback';
export { createHealthTracker, type HealthTracker, type HealthTrackerOptions, type HealthRecorder, type HealthProbeOptions, type CandidateHealth, type ProviderHealth, type LastError } from './health-tracker';
export { createSelector, isModelAllowed, type Selector, type SelectorOptions, type SelectInput, type Selection, type SelectionExplanation, type CandidateDecision } from './selector';
export { estimatePromptTokens, requirementsOf, capabilityMismatch, estimateRequestCost, scoreCandidates, type CandidateScores, type RequestRequirements, type SelectionRequest } from './candidate-score';
export { orderByStrategy, routingStrategies, type RoutingStrategy, type ScoredCandidate, type RoundRobinState } from './strategies';
export { powerLevelWeights, weightsFor, type PowerLevel, type ScoreWeights } from './power-levels';
export { detectTask, type TaskType, type TaskDetection } from './task-detection';
export { qualityPrior, defaultQualityPriors, type QualityPriorRule, type QualityPriorTable } from './quality-priors';
export { discoverLocalServers, type DiscoverLocalOptions, type DiscoveryResult, type DiscoveredServer, type UnreachableServer, type LocalServerKind } from './local-discovery';
export { createModelsCache, type ModelsCache, type ModelsCacheOptions, type ModelsCacheEntry, type ModelsCacheStore, type ModelsListing } from './models-cache';
