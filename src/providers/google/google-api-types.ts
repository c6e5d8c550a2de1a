// Wire shapes of the Gemini API (generativelanguage v1beta), as far as the adapter reads or writes them.

export interface GoogleFunctionCall {
  name?: string;
  args?: Record<string, unknown>;
  id?: string;
  /** Vertex `streamFunctionCallArguments`: more of this call follows in later events. */
  willContinue?: boolean;
  /** Vertex `streamFunctionCallArguments`: argument fragments addressed by JSON path. */
  partialArgs?: GooglePartialArgument[];
}

export interface GooglePartialArgument {
  jsonPath?: string;
  stringValue?: string;
  numberValue?: number;
  boolValue?: boolean;
  nullValue?: unknown;
  willContinue?: boolean;
}

export interface GooglePart {
  text?: string;
  thought?: boolean;
  thoughtSignature?: string;
  inlineData?: { mimeType: string; data: string };
  fileData?: { mimeType?: string; fileUri: string };
  functionCall?: GoogleFunctionCall;
  functionResponse?: { name: string; response: Record<string, unknown> };
}

export interface GoogleContent {
  role: 'user' | 'model';
  parts: GooglePart[];
}

export interface GoogleUsageMetadata {
  promptTokenCount?: number;
  candidatesTokenCount?: number;
  totalTokenCount?: number;
  cachedContentTokenCount?: number;
  thoughtsTokenCount?: number;
  toolUsePromptTokenCount?: number;
}

export interface GoogleCandidate {
  content?: { role?: string; parts?: GooglePart[] };
  finishReason?: string;
  finishMessage?: string;
  index?: number;
}

/** A `GenerateContentResponse`: the whole answer, or one SSE event of a stream. */
export interface GoogleResponse {
  candidates?: GoogleCandidate[];
  promptFeedback?: { blockReason?: string };
  usageMetadata?: GoogleUsageMetadata;
  modelVersion?: string;
  responseId?: string;
  /** Present when the server reports a failure inside a 200 stream. */
  error?: { code?: number; message?: string; status?: string };
}

/** One page of `GET /models`. */
export interface GoogleModelsPage {
  models?: Array<{
    name: string;
    displayName?: string;
    inputTokenLimit?: number;
    outputTokenLimit?: number;
    supportedGenerationMethods?: string[];
    thinking?: boolean;
  }>;
  nextPageToken?: string;
}
