export { createMockProvider, type MockProvider } from './mock-provider';
export type {
  MockProviderOptions,
  MockReply,
  MockResponse,
  MockErrorKind,
  MockErrorSpec,
  MockToolCall,
  MockScript,
  MockCallRecord,
  MockChatCallRecord,
  MockEmbedResponse,
} from './mock-provider-options';
export { createMockError } from './mock-errors';
export { createManualClock, type ManualClock } from './manual-clock';
