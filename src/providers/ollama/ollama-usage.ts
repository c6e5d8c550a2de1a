import { estimateTextTokens } from '../../governance/token-estimate';
import type { Message } from '../../spec/message';
import type { Usage } from '../../spec/usage';
import { estimatePromptTokens } from '../shared/estimate-usage';
import type { OllamaChatChunk } from './ollama-api-types';

/**
 * `prompt_eval_count` / `eval_count` of the final object. Ollama leaves `prompt_eval_count` out when the
 * whole prompt came from its cache; then the prompt is estimated at about four characters a token and
 * the usage is flagged `estimated`.
 */
export function convertOllamaUsage(final: OllamaChatChunk, messages: Message[], outputText: string): Usage {
  let estimated = false;
  let inputTokens = final.prompt_eval_count;
  if (inputTokens === undefined) {
    estimated = true;
    inputTokens = estimatePromptTokens(messages);
  }
  let outputTokens = final.eval_count;
  if (outputTokens === undefined) {
    estimated = true;
    outputTokens = estimateTextTokens(outputText);
  }
  const usage: Usage = { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens };
  if (estimated) usage.estimated = true;
  return usage;
}
