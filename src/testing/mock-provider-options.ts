import type { LLMError } from '../errors/llm-error';
import type { ProviderChatCall } from '../spec/chat';
import type { ProviderEmbedCall } from '../spec/embedding';
import type { ModelInfo, ModelPricing } from '../spec/model-info';
import type { FinishReason, Usage } from '../spec/usage';

/** Failures a script can ask for by name; each becomes the typed error a real adapter would throw. */
export type MockErrorKind =
  | 'rate-limit'
  | 'overloaded'
  | 'server'
  | 'authentication'
  | 'timeout'
  | 'network'
  | 'context-length'
  | 'invalid-request'
  | 'content-filter'
  | 'invalid-response'
  | 'aborted';

/** A scripted failure by name, e.g. `{ error: 'rate-limit', retryAfterMs: 2000 }`. */
export interface MockErrorSpec {
  /** Which typed error to throw. */
  error: MockErrorKind;
  /** Error message (a default naming the kind otherwise). */
  message?: string;
  /** `retryAfterMs` of the error (rate limits, overload). */
  retryAfterMs?: number;
  /** HTTP status to report (a realistic default per kind otherwise: 429, 529, 500, 401…). */
  status?: number;
  /** Overrides the kind's default `retryable`. */
  retryable?: boolean;
  /** Wait this long before failing (defaults to the provider's `latencyMs`). */
  latencyMs?: number;
}

/** A tool call in a scripted reply. */
export interface MockToolCall {
  /** Call id (`mock-call-<call index>-<position>` when omitted). */
  id?: string;
  /** Tool name. */
  name: string;
  /** Parsed arguments (`{}` when omitted). */
  arguments?: unknown;
}

/** A scripted successful reply (the stream is made from it). */
export interface MockReply {
  /** Answer text. */
  text?: string;
  /** Reasoning text, streamed as `reasoning-delta` parts before the text. */
  reasoning?: string;
  /** Tool calls, streamed after the text. */
  toolCalls?: MockToolCall[];
  /** Usage fields to report; missing ones are estimated from characters (about four per token). */
  usage?: Partial<Usage>;
  /** Finish reason; `tool-calls` when there are tool calls, `stop` otherwise. */
  finishReason?: FinishReason;
  /** The provider's own finish reason string. */
  rawFinishReason?: string;
  /** Model the reply claims served it (the called model otherwise). */
  model?: string;
  /** Response id (`mock-response-<call index>` otherwise). */
  responseId?: string;
  /** Wait this long before answering or before the first part (defaults to the provider's `latencyMs`). */
  latencyMs?: number;
  /** Wait this long between stream parts (defaults to the provider's `partDelayMs`). */
  partDelayMs?: number;
  /** Split the text (and reasoning) into this many deltas; word by word otherwise. */
  chunks?: number;
  /**
   * Fail after this many stream parts: the stream yields that many parts, then throws `failWith` and never
   * finishes. A non-streaming call with this set fails outright.
   */
  failAfterParts?: number;
  /** The error for `failAfterParts` (`network`, a dropped connection, by default). */
  failWith?: MockErrorKind | MockErrorSpec | LLMError;
}

/** What a script yields for one call: a reply, a failure by name, or an error instance to throw as is. */
export type MockResponse = MockReply | MockErrorSpec | LLMError;

/** One call the mock received, as recorded in `provider.calls`. The API key is non-enumerable. */
export type MockCallRecord =
  | {
      /** `chat` or `stream`. */
      kind: 'chat' | 'stream';
      /** 0-based position among all calls this provider received. */
      index: number;
      /** Model the call asked for. */
      model: string;
      /** The call as received. */
      call: ProviderChatCall;
      /** Per-call headers from the context. */
      headers?: Record<string, string>;
      /** Key used for the call (per-call key, else the configured one). Hidden from JSON and inspection. */
      readonly apiKey?: string;
    }
  | {
      /** An embedding call. */
      kind: 'embed';
      /** 0-based position among all calls this provider received. */
      index: number;
      /** Model the call asked for. */
      model: string;
      /** The call as received. */
      call: ProviderEmbedCall;
      /** Per-call headers from the context. */
      headers?: Record<string, string>;
      /** Key used for the call. Hidden from JSON and inspection. */
      readonly apiKey?: string;
    }
  | {
      /** A `listModels` call. */
      kind: 'list-models';
      /** 0-based position among all calls this provider received. */
      index: number;
      /** Per-call headers from the context. */
      headers?: Record<string, string>;
      /** Key used for the call. Hidden from JSON and inspection. */
      readonly apiKey?: string;
    };

/** The chat/stream record a script function receives. */
export type MockChatCallRecord = Extract<MockCallRecord, { kind: 'chat' | 'stream' }>;

/** Replies in order, or a function that answers each call (`undefined` means the default echo). */
export type MockScript = MockResponse[] | ((call: MockChatCallRecord) => MockResponse | undefined | Promise<MockResponse | undefined>);

/** A scripted embedding answer: vectors to return, or a failure. */
export type MockEmbedResponse = { embeddings?: number[][]; usage?: { inputTokens: number } } | MockErrorSpec | LLMError;

/** Options of `createMockProvider`. */
export interface MockProviderOptions {
  /** Instance id (`mock` by default). */
  id?: string;
  /** Whether it poses as a local server (free, keyless); true by default. */
  local?: boolean;
  /** Model used when a request names only the provider (`mock-model` by default). */
  defaultModel?: string;
  /** Embedding model (`mock-embedding` by default). */
  defaultEmbeddingModel?: string;
  /** Further chat model names to list. */
  models?: string[];
  /** Price reported in the model list (free by default). */
  pricing?: ModelPricing;
  /** Chat and stream replies: a queue consumed in order (shared by chat and stream) or a function. */
  replies?: MockScript;
  /** When the queue is empty: answer with the echo (default), repeat the last reply, or throw. */
  whenExhausted?: 'echo' | 'repeat-last' | 'error';
  /** Embedding answers, consumed in order; hash-based vectors once empty. */
  embedReplies?: MockEmbedResponse[];
  /** Length of the hash-based vectors when the call asks for none (8 by default). */
  embeddingDimensions?: number;
  /** Latency before every answer, in milliseconds (0 by default). */
  latencyMs?: number;
  /** Delay between stream parts, in milliseconds (0 by default). */
  partDelayMs?: number;
  /**
   * The wait used for latencies; must reject when `signal` aborts. Inject a manual clock
   * (`createManualClock().sleep`) so tests never wait on real time.
   */
  sleep?: (milliseconds: number, signal?: AbortSignal) => Promise<void>;
  /** A configured (managed) key; recorded on each call that uses it. */
  apiKey?: string;
  /** Fail with AuthenticationError when a call has neither a per-call nor a configured key. */
  requireApiKey?: boolean;
  /** Base URL to report (`mock://<id>` by default). */
  baseUrl?: string;
  /** Replaces the generated model list. */
  knownModels?: readonly ModelInfo[];
}
