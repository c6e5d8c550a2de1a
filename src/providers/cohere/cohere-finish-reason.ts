import type { FinishReason } from '../../spec/usage';

/** Maps Cohere's `finish_reason` (v2, plus the v1 spellings some deployments still send) to ours. */
export function mapCohereFinishReason(reason: string | undefined): FinishReason {
  switch (reason) {
    case 'COMPLETE':
    case 'STOP_SEQUENCE':
      return 'stop';
    case 'MAX_TOKENS':
    case 'ERROR_LIMIT':
      return 'length';
    case 'TOOL_CALL':
      return 'tool-calls';
    case 'ERROR_TOXIC':
      return 'content-filter';
    case 'ERROR':
    case 'TIMEOUT':
      return 'error';
    default:
      return 'other';
  }
}
