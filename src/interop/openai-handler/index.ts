export { createOpenAIHandler, type OpenAIHandler } from './openai-handler';
export type { OpenAIHandlerCaller, OpenAIHandlerManager, OpenAIHandlerOptions } from './openai-handler-options';
export { toOpenAIError, type OpenAIErrorBody, type OpenAIErrorReply } from './openai-handler-errors';
