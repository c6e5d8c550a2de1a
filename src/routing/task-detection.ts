import type { Message } from '../spec/message';
import type { ToolDefinition } from '../spec/tool';

/** The kind of work a request is, which picks the quality prior. */
export type TaskType = 'code' | 'chat' | 'rag' | 'creative' | 'analysis';

/** What task detection concluded and why. */
export interface TaskDetection {
  /** The detected task (`chat` when nothing stands out). */
  task: TaskType;
  /** 0–1: share of the matched signals that point at `task`. */
  confidence: number;
  /** The signals that matched, for explanations (`code fence`, `tool:run_python`, …). */
  signals: string[];
}

interface Rule {
  task: Exclude<TaskType, 'chat'>;
  signal: string;
  pattern: RegExp;
  weight: number;
}

const rules: Rule[] = [
  { task: 'code', signal: 'code fence', pattern: /```/, weight: 3 },
  { task: 'code', signal: 'code keywords', pattern: /\b(function|def|class|import|const|let|return|async|await|println|#include|SELECT\s+.+\s+FROM)\b|=>|\(\)\s*\{/, weight: 2 },
  { task: 'code', signal: 'programming words', pattern: /\b(code|bug|debug|compile[rd]?|refactor|stack ?trace|exception|typescript|javascript|python|rust|golang|java|sql|regex|unit tests?|api endpoint|function)\b/i, weight: 2 },
  { task: 'rag', signal: 'supplied context', pattern: /\b(context|documents?|sources?|passages?|excerpts?)\s*:|<(context|document|documents|source)>|based (only )?on the (following|provided|above)|according to the (document|context|text)|answer using (only )?the/i, weight: 3 },
  { task: 'creative', signal: 'creative writing', pattern: /\b(write|compose|create|draft)\b.{0,40}\b(story|poem|song|lyrics|haiku|novel|screenplay|script|fiction|fairy ?tale|limerick|sonnet)\b/i, weight: 3 },
  { task: 'creative', signal: 'creative words', pattern: /\b(imagine|once upon a time|short story|poem|creative|brainstorm|slogan|tagline)\b/i, weight: 1 },
  { task: 'analysis', signal: 'analysis verbs', pattern: /\b(analy[sz]e|analysis|compare|comparison|evaluate|assess|pros and cons|trade-?offs?|root cause|summari[sz]e|break down|interpret)\b/i, weight: 2 },
  { task: 'analysis', signal: 'data words', pattern: /\b(data ?set|statistics?|metrics?|trend|correlation|csv|spreadsheet|table|revenue|quarter(ly)?)\b/i, weight: 1 },
];

const toolRules: Array<{ task: Exclude<TaskType, 'chat'>; pattern: RegExp }> = [
  { task: 'code', pattern: /code|python|exec|shell|bash|terminal|compile|run_?tests?|git/i },
  { task: 'rag', pattern: /search|retriev|lookup|knowledge|vector|document|fetch_?docs?/i },
  { task: 'analysis', pattern: /sql|query|chart|plot|calculat|spreadsheet|analy/i },
];

function textOf(message: Message): string {
  if (typeof message.content === 'string') return message.content;
  return message.content.map((part) => ('text' in part && typeof part.text === 'string' ? part.text : '')).join('\n');
}

/** Guesses the task from the system prompt, the last user message, tool results and tool names. */
export function detectTask(input: { messages: readonly Message[]; tools?: readonly ToolDefinition[] }): TaskDetection {
  const scores: Record<Exclude<TaskType, 'chat'>, number> = { code: 0, rag: 0, creative: 0, analysis: 0 };
  const signals: string[] = [];
  const system = input.messages.filter((message) => message.role === 'system').map(textOf).join('\n');
  const lastUser = [...input.messages].reverse().find((message) => message.role === 'user');
  const text = `${system}\n${lastUser ? textOf(lastUser) : ''}`;
  for (const rule of rules) {
    if (rule.pattern.test(text)) {
      scores[rule.task] += rule.weight;
      signals.push(rule.signal);
    }
  }
  // Long retrieved material in the prompt is the shape of RAG even without the usual phrasing.
  const toolResultLength = input.messages.filter((message) => message.role === 'tool').reduce((sum, message) => sum + textOf(message).length, 0);
  if (toolResultLength > 2_000 || (lastUser && textOf(lastUser).length > 6_000)) {
    scores.rag += 2;
    signals.push('long supplied material');
  }
  for (const tool of input.tools ?? []) {
    for (const rule of toolRules) {
      if (rule.pattern.test(tool.name)) {
        scores[rule.task] += 1;
        signals.push(`tool:${tool.name}`);
        break;
      }
    }
  }
  const total = Object.values(scores).reduce((sum, value) => sum + value, 0);
  const [best, bestScore] = (Object.entries(scores) as Array<[Exclude<TaskType, 'chat'>, number]>).sort((a, b) => b[1] - a[1])[0]!;
  if (bestScore < 2) return { task: 'chat', confidence: total === 0 ? 1 : 0.5, signals };
  return { task: best, confidence: Math.round((bestScore / total) * 100) / 100, signals };
}
