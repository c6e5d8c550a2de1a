import type { ResponseFormat } from '../spec/chat';
import type { Message } from '../spec/message';
import type { ToolDefinition } from '../spec/tool';
import type { RoutingCandidate } from './candidate';
import type { CircuitBreaker, CircuitPermission } from './circuit-breaker';
import type { HealthTracker } from './health-tracker';
import type { ScoreWeights } from './power-levels';
import { qualityPrior, type QualityPriorTable } from './quality-priors';
import type { TaskType } from './task-detection';

/** What a request needs from a model. */
export interface RequestRequirements {
  /** Tool definitions are sent. */
  tools: boolean;
  /** An image is in the messages. */
  vision: boolean;
  /** JSON or JSON Schema output is asked for. */
  json: boolean;
  /** An embedding model is needed. */
  embedding: boolean;
  /** Estimated tokens of the prompt plus the answer (≈ characters / 4), which the context window must hold. */
  contextTokens: number;
}

/** The request fields the selector reads. */
export interface SelectionRequest {
  /** The conversation. */
  messages: readonly Message[];
  /** Tool definitions. */
  tools?: readonly ToolDefinition[];
  /** Output format. */
  responseFormat?: ResponseFormat;
  /** Output token cap (counted into the context the model must hold; 1 000 assumed when absent). */
  maxTokens?: number;
  /** An embedding call. */
  embedding?: boolean;
}

/** Per-criterion scores of one candidate, each 0–100, and their weighted total. */
export interface CandidateScores {
  /** Availability and error rate; 0 while the circuit is open. */
  health: number;
  /** Relative to the fastest known candidate; 60 when unmeasured. */
  latency: number;
  /** Relative to the cheapest candidate for this request; 100 for free (local), 50 when the price is unknown. */
  cost: number;
  /** 100 with room to spare; less when the context window is nearly full or unknown. */
  capability: number;
  /** Quality prior for the task. */
  quality: number;
  /** Weighted total, 0–100. */
  total: number;
}

const defaultOutputTokens = 1_000;

function messageLength(message: Message): number {
  if (typeof message.content === 'string') return message.content.length;
  let length = 0;
  for (const part of message.content) {
    if (part.type === 'text' || part.type === 'reasoning') length += part.text.length;
    else if (part.type === 'tool-call') length += JSON.stringify(part.arguments ?? {}).length + part.toolName.length;
    // An image costs roughly a thousand tokens on most providers.
    else if (part.type === 'image') length += 4_000;
  }
  return length;
}

/** Rough token estimate of messages and tools (characters / 4, plus a few tokens per message). */
export function estimatePromptTokens(messages: readonly Message[], tools: readonly ToolDefinition[] = []): number {
  let characters = 0;
  for (const message of messages) characters += messageLength(message) + 16;
  for (const tool of tools) characters += JSON.stringify(tool).length;
  return Math.ceil(characters / 4);
}

/** What this request needs: capabilities and the context window it must fit in. */
export function requirementsOf(request: SelectionRequest): RequestRequirements {
  const vision = request.messages.some((message) => message.role === 'user' && typeof message.content !== 'string' && message.content.some((part) => part.type === 'image'));
  const format = request.responseFormat?.type;
  return {
    tools: (request.tools?.length ?? 0) > 0,
    vision,
    json: format === 'json' || format === 'json-schema',
    embedding: request.embedding === true,
    contextTokens: estimatePromptTokens(request.messages, request.tools) + (request.embedding ? 0 : request.maxTokens ?? defaultOutputTokens),
  };
}

/** Why a candidate cannot serve the request at all, or undefined when it can. */
export function capabilityMismatch(candidate: RoutingCandidate, requirements: RequestRequirements): string | undefined {
  const capabilities = candidate.capabilities;
  if (requirements.embedding && !capabilities.embedding) return 'not an embedding model';
  if (!requirements.embedding && capabilities.embedding) return 'embedding model cannot chat';
  if (requirements.tools && !capabilities.tools) return 'model does not support tools';
  if (requirements.vision && !capabilities.vision) return 'model does not accept images';
  if (requirements.json && !capabilities.json) return 'model does not support JSON output';
  if (candidate.contextWindow !== undefined && candidate.contextWindow < requirements.contextTokens) {
    return `context window ${candidate.contextWindow} < ~${requirements.contextTokens} tokens needed`;
  }
  return undefined;
}

/** Estimated USD of this request on this candidate; 0 when free, undefined when the price is unknown. */
export function estimateRequestCost(candidate: RoutingCandidate, requirements: RequestRequirements, maxTokens?: number): number | undefined {
  if (candidate.local) return 0;
  if (!candidate.pricing) return undefined;
  const output = requirements.embedding ? 0 : maxTokens ?? defaultOutputTokens;
  const input = Math.max(0, requirements.contextTokens - output);
  return (input * candidate.pricing.inputPerMillion + output * candidate.pricing.outputPerMillion) / 1_000_000;
}

/** What scoring needs besides the candidates. */
export interface ScoringContext {
  /** Request requirements. */
  requirements: RequestRequirements;
  /** Output token cap of the request. */
  maxTokens?: number;
  /** Task for the quality prior. */
  task: TaskType;
  /** Criterion weights. */
  weights: ScoreWeights;
  /** Health source. */
  health?: Pick<HealthTracker, 'candidate'> & Partial<Pick<HealthTracker, 'summary'>>;
  /** Circuit source. */
  breaker?: Pick<CircuitBreaker, 'peek'>;
  /** Host's quality priors. */
  qualityPriors?: QualityPriorTable;
}

const round = (value: number): number => Math.round(value * 10) / 10;

/** What scoring reads of one candidate's health: a summary or a full report. */
export type HealthReading = { availability: number; latencyEwmaMs?: number } | undefined;

/** The health and circuit of each candidate as read once, at selection time. */
export interface ScoringSnapshot {
  /** Health per candidate, in the candidates' order. */
  healths: readonly HealthReading[];
  /** Circuit per candidate, in the candidates' order (undefined without a breaker). */
  circuits: readonly (CircuitPermission | undefined)[];
}

/** Reads each candidate's health (the constant-time summary when the tracker has one) and circuit once. */
export function readScoringSnapshot(
  candidates: readonly RoutingCandidate[],
  context: Pick<ScoringContext, 'health' | 'breaker'>,
): ScoringSnapshot {
  const health = context.health;
  // The constant-time summary when the tracker has one; percentiles are for reports, not for every call.
  const healths = candidates.map((candidate) => (health?.summary ? health.summary(candidate) : health?.candidate(candidate)));
  const circuits = candidates.map((candidate) => context.breaker?.peek(candidate));
  return { healths, circuits };
}

/** Scores each eligible candidate 0–100 per criterion and in total, relative to the others. */
export function scoreCandidates(candidates: readonly RoutingCandidate[], context: ScoringContext): CandidateScores[] {
  return scoreFromSnapshot(candidates, readScoringSnapshot(candidates, context), context);
}

/** `scoreCandidates` over health and circuits already read (so scores can be computed later, as of then). */
export function scoreFromSnapshot(candidates: readonly RoutingCandidate[], snapshot: ScoringSnapshot, context: ScoringContext): CandidateScores[] {
  const healths = snapshot.healths;
  const costs = candidates.map((candidate) => estimateRequestCost(candidate, context.requirements, context.maxTokens));
  const known = costs.filter((cost): cost is number => cost !== undefined && cost > 0);
  const cheapest = known.length > 0 ? Math.min(...known) : undefined;
  const latencies = healths.map((health) => health?.latencyEwmaMs).filter((latency): latency is number => latency !== undefined && latency > 0);
  const fastest = latencies.length > 0 ? Math.min(...latencies) : undefined;

  return candidates.map((candidate, index) => {
    const health = healths[index];
    const circuit = snapshot.circuits[index];
    let healthScore = 100 * (health?.availability ?? 1);
    if (circuit && !circuit.allowed) healthScore = 0;
    else if (circuit?.state === 'half-open') healthScore = Math.min(healthScore, 40);

    const latency = health?.latencyEwmaMs;
    const latencyScore = latency === undefined || fastest === undefined ? 60 : 100 * Math.min(1, fastest / Math.max(latency, 1));

    const cost = costs[index];
    // Log scale: twice the price of the cheapest costs 20 points, not half the score.
    const costScore = cost === undefined ? 50 : cost === 0 || cheapest === undefined ? 100 : Math.max(0, 100 - 20 * Math.log2(cost / cheapest));

    let capabilityScore = 100;
    if (candidate.contextWindow === undefined) capabilityScore = 80;
    else if (context.requirements.contextTokens > candidate.contextWindow * 0.8) capabilityScore = 70;

    const quality = qualityPrior(candidate.provider, candidate.model, context.task, context.qualityPriors);
    const weights = context.weights;
    const total = weights.health * healthScore + weights.latency * latencyScore + weights.cost * costScore + weights.capability * capabilityScore + weights.quality * quality;
    return { health: round(healthScore), latency: round(latencyScore), cost: round(costScore), capability: round(capabilityScore), quality: round(quality), total: round(total) };
  });
}
