import type { TaskType } from './task-detection';

/** A quality prior (0–100) per task for models matching `pattern`. */
export interface QualityPriorRule {
  /** Tested against the model id (and `provider:model`). */
  pattern: RegExp;
  /** Score per task; tasks left out use `default`. */
  scores: Partial<Record<TaskType, number>> & { default: number };
}

/**
 * Rough default priors by model family. They only break ties between comparable candidates; hosts with
 * their own evaluations pass `qualityPriors` to the selector. First match wins.
 */
export const defaultQualityPriors: readonly QualityPriorRule[] = [
  { pattern: /gpt-5(?!.*(mini|nano))|\bo[34](?!-mini)|claude-(opus|sonnet)-4|claude-4|gemini-(2\.5|3)-pro/i, scores: { default: 90, code: 93, analysis: 92 } },
  { pattern: /gpt-4\.1(?!-(mini|nano))|gpt-4o(?!-mini)|claude-3-7|claude-3-5-sonnet|gemini-2\.5-flash(?!-lite)|deepseek-(chat|v3|reasoner|r1)|grok-[34](?!-mini)|llama-?3\.1-405b|qwen.*(coder|max)/i, scores: { default: 83, code: 85, creative: 82 } },
  { pattern: /mini|nano|haiku|flash|small|lite|gemma|phi|\b(1|2|3|7|8)b\b|-(1|3|7|8)b/i, scores: { default: 66, chat: 70, code: 62 } },
  { pattern: /llama|mixtral|mistral|qwen|command|deepseek|grok/i, scores: { default: 74 } },
];

/** A host's own priors: exact `provider:model` or model id → score per task. */
export type QualityPriorTable = Record<string, Partial<Record<TaskType, number>> & { default?: number }>;

/** The prior for one model and task: the host's table first, then the default rules, else 60. */
export function qualityPrior(provider: string, model: string, task: TaskType, table: QualityPriorTable = {}): number {
  const own = table[`${provider}:${model}`] ?? table[model];
  const ownScore = own?.[task] ?? own?.default;
  if (ownScore !== undefined) return Math.max(0, Math.min(100, ownScore));
  for (const rule of defaultQualityPriors) {
    if (rule.pattern.test(model) || rule.pattern.test(`${provider}:${model}`)) return rule.scores[task] ?? rule.scores.default;
  }
  return 60;
}
