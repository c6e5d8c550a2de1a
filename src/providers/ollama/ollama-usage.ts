import type { Message } from '../../spec/message';
import type { Usage } from '../../spec/usage';
import type { OllamaChatChunk } from './ollama-api-types';

function messageCharacters(messages: Message[]): number {
  let characters = 0;
  for (const message of messages) {
    if (typeof message.content === 'string') characters += message.content.length;
    else for (const part of message.content) if (part.type === 'text' || part.type === 'reasoning') characters += part.text.length;
  }
  return characters;
}

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
    inputTokens = Math.ceil(messageCharacters(messages) / 4);
  }
  let outputTokens = final.eval_count;
  if (outputTokens === undefined) {
    estimated = true;
    outputTokens = Math.ceil(outputText.length / 4);
  }
  const usage: Usage = { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens };
  if (estimated) usage.estimated = true;
  return usage;
}
