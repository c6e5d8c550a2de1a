export {
  createConversations,
  type ConversationContext,
  type ConversationContextOptions,
  type ConversationMessageInput,
  type Conversations,
  type ConversationsOptions,
  type CreateConversationOptions,
} from './conversations';
export { estimateMessageTokens } from './conversation-tokens';
