import type { FinishReason } from '../../spec/usage';

const contentFilterReasons = new Set(['SAFETY', 'RECITATION', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'SPII', 'IMAGE_SAFETY']);

/** Maps Gemini's `finishReason`; STOP with function calls in the answer means the model wants them run. */
export function mapGoogleFinishReason(finishReason: string | undefined, hasToolCalls: boolean): FinishReason {
  if (finishReason === 'STOP') return hasToolCalls ? 'tool-calls' : 'stop';
  if (finishReason === 'MAX_TOKENS') return 'length';
  if (finishReason !== undefined && contentFilterReasons.has(finishReason)) return 'content-filter';
  return 'other';
}
