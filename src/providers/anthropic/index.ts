export { createAnthropic, type AnthropicProvider, type AnthropicProviderOptions } from './anthropic-provider';
export type { AnthropicChatResult, AnthropicReasoningPart } from './anthropic-chat';
export { convertToAnthropicMessages, type AnthropicPrompt } from './convert-to-anthropic-messages';
