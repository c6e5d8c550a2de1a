import { InvalidRequestError } from '../errors/invalid-request-error';
import type { Message } from '../spec/message';
import type { ConversationMessageRecord, ConversationRecord, ListOptions, NewConversationMessage, Storage } from '../spec/storage';
import { estimateMessageTokens } from './conversation-tokens';

/** A message to store; id, time and token count are filled in when absent. */
export interface ConversationMessageInput {
  /** The message. */
  message: Message;
  /** Model that produced it (`provider:model`), for assistant messages. */
  model?: string;
  /** Measured token count (from the provider's usage); estimated when absent. */
  tokens?: number;
  /** Id; a random UUID when absent. */
  id?: string;
  /** Time; now when absent. */
  createdAt?: number;
}

/** Options of `createConversation`. */
export interface CreateConversationOptions {
  /** Id; a random UUID when absent. */
  id?: string;
  /** Title. */
  title?: string;
  /** System prompt stored as the first message; always kept in the context. */
  systemPrompt?: string;
  /** Free-form data of the host app. */
  metadata?: Record<string, unknown>;
}

/** Limits of a context window. */
export interface ConversationContextOptions {
  /** Most messages, system prompt included (default 10). */
  maxMessages?: number;
  /** Most tokens, system prompt included (default 2,000). */
  maxTokens?: number;
}

/** The newest messages of a conversation that fit the limits, oldest first, system prompt first. */
export interface ConversationContext {
  /** Messages ready to send to a model. */
  messages: Message[];
  /** The stored records behind `messages`. */
  records: ConversationMessageRecord[];
  /** Token count of `messages` (measured where stored, estimated otherwise). */
  tokens: number;
  /** Whether older messages were left out. */
  truncated: boolean;
}

/** Conversation history per user, on any storage. */
export interface Conversations {
  /** Creates a conversation, with its system prompt as first message when given. */
  create(userId: string, options?: CreateConversationOptions): Promise<ConversationRecord>;
  /** The user's conversations, most recently updated first. */
  list(userId: string, options?: ListOptions): Promise<ConversationRecord[]>;
  /** One of the user's conversations. */
  get(userId: string, conversationId: string): Promise<ConversationRecord | undefined>;
  /** All messages of one of the user's conversations, oldest first. */
  messages(userId: string, conversationId: string): Promise<ConversationMessageRecord[]>;
  /** Renames or changes metadata; false when the conversation is not the user's. */
  update(userId: string, conversationId: string, changes: { title?: string; metadata?: Record<string, unknown> }): Promise<boolean>;
  /** Deletes a conversation and its messages; false when it is not the user's. */
  delete(userId: string, conversationId: string): Promise<boolean>;
  /** Appends messages atomically (all or none). */
  append(userId: string, conversationId: string, messages: ConversationMessageInput[]): Promise<ConversationMessageRecord[]>;
  /** Saves a user turn and the assistant's answer together in one transaction, so no half turn is ever stored. */
  saveTurn(userId: string, conversationId: string, turn: { user: ConversationMessageInput; assistant: ConversationMessageInput }): Promise<ConversationMessageRecord[]>;
  /** The newest messages that fit `maxMessages` and `maxTokens`, oldest first, always keeping the system prompt. */
  context(userId: string, conversationId: string, options?: ConversationContextOptions): Promise<ConversationContext>;
}

/** Options of `createConversations`. */
export interface ConversationsOptions {
  /** Clock (milliseconds since the epoch). */
  now?: () => number;
  /** Id generator. */
  generateId?: () => string;
  /** Token estimator for messages stored without a count. */
  estimateTokens?: (message: Message) => number;
}

function positiveInteger(value: number | undefined, fallback: number, field: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) throw new InvalidRequestError(`Conversations: ${field} must be a positive integer`);
  return value;
}

/** Conversation history and token-budgeted context on top of a `Storage`. */
export function createConversations(storage: Storage, options: ConversationsOptions = {}): Conversations {
  const now = options.now ?? Date.now;
  const generateId = options.generateId ?? (() => globalThis.crypto.randomUUID());
  const estimate = options.estimateTokens ?? estimateMessageTokens;

  const toStored = (input: ConversationMessageInput, time: number): NewConversationMessage => {
    const stored: NewConversationMessage = {
      id: input.id ?? generateId(),
      message: input.message,
      createdAt: input.createdAt ?? time,
      tokens: input.tokens ?? estimate(input.message),
      tokensEstimated: input.tokens === undefined,
    };
    if (input.model !== undefined) stored.model = input.model;
    return stored;
  };

  const tokensOf = (record: ConversationMessageRecord): number => record.tokens ?? estimate(record.message);

  const conversations: Conversations = {
    async create(userId, createOptions = {}) {
      const time = now();
      const record = { id: createOptions.id ?? generateId(), userId, createdAt: time, updatedAt: time } as Omit<ConversationRecord, 'messageCount'>;
      if (createOptions.title !== undefined) record.title = createOptions.title;
      if (createOptions.metadata !== undefined) record.metadata = createOptions.metadata;
      await storage.createConversation(record);
      let messageCount = 0;
      if (createOptions.systemPrompt !== undefined) {
        await storage.appendMessages(userId, record.id, [toStored({ message: { role: 'system', content: createOptions.systemPrompt } }, time)]);
        messageCount = 1;
      }
      return { ...record, messageCount };
    },
    list: (userId, listOptions) => storage.listConversations(userId, listOptions),
    get: (userId, conversationId) => storage.getConversation(userId, conversationId),
    messages: (userId, conversationId) => storage.listMessages(userId, conversationId),
    update: (userId, conversationId, changes) => storage.updateConversation(userId, conversationId, changes),
    delete: (userId, conversationId) => storage.deleteConversation(userId, conversationId),
    append(userId, conversationId, messages) {
      const time = now();
      return storage.appendMessages(userId, conversationId, messages.map((message) => toStored(message, time)));
    },
    saveTurn(userId, conversationId, turn) {
      if (turn.user?.message?.role !== 'user') throw new InvalidRequestError('Conversations: turn.user must be a user message');
      if (turn.assistant?.message?.role !== 'assistant') throw new InvalidRequestError('Conversations: turn.assistant must be an assistant message');
      const time = now();
      // One appendMessages call is one transaction: both turns are stored, or neither.
      return storage.appendMessages(userId, conversationId, [toStored(turn.user, time), toStored({ createdAt: time, ...turn.assistant }, time)]);
    },
    async context(userId, conversationId, contextOptions = {}) {
      const maxMessages = positiveInteger(contextOptions.maxMessages, 10, 'maxMessages');
      const maxTokens = positiveInteger(contextOptions.maxTokens, 2_000, 'maxTokens');
      const conversation = await storage.getConversation(userId, conversationId);
      if (!conversation) {
        throw new InvalidRequestError(`Conversations: conversation "${conversationId}" not found for this user`);
      }
      const [system, recent] = await Promise.all([
        storage.listMessages(userId, conversationId, { system: 'only' }),
        storage.listMessages(userId, conversationId, { system: 'exclude', limit: maxMessages }),
      ]);
      // The system prompt is kept even when it alone exceeds the limits; the rest gets what remains.
      let tokens = system.reduce((total, record) => total + tokensOf(record), 0);
      const messageRoom = Math.max(0, maxMessages - system.length);
      const kept: ConversationMessageRecord[] = [];
      for (let index = recent.length - 1; index >= 0 && kept.length < messageRoom; index -= 1) {
        const cost = tokensOf(recent[index]);
        // Stop at the first message that does not fit: skipping it would leave a gap in the dialogue.
        if (tokens + cost > maxTokens) break;
        tokens += cost;
        kept.unshift(recent[index]);
      }
      // A tool result whose call was cut off would be rejected by providers; drop such leading results.
      while (kept.length > 0 && kept[0].message.role === 'tool') tokens -= tokensOf(kept.shift()!);
      const records = [...system, ...kept];
      return { messages: records.map((record) => record.message), records, tokens, truncated: records.length < conversation.messageCount };
    },
  };
  return conversations;
}
