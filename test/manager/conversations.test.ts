import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { createLLMManager, InvalidRequestError, type Message } from 'llm-switchyard';
import { createSqlStorage, fromBetterSqlite3 } from 'llm-switchyard/storage/sql';
import { createMockProvider } from 'llm-switchyard/testing';

function lastUserText(messages: readonly Message[]): string {
  const last = [...messages].reverse().find((message) => message.role === 'user');
  return typeof last?.content === 'string' ? last.content : '';
}

describe.each([
  ['memory', () => undefined],
  ['sqlite', () => createSqlStorage({ dialect: 'sqlite', client: fromBetterSqlite3(new Database(':memory:')) })],
])('chat with a conversation (%s storage)', (_name, makeStorage) => {
  it('loads the context before the new turn and saves both turns after a success', async () => {
    const mock = createMockProvider({ replies: (call) => ({ text: `answer to ${lastUserText(call.call.messages)}` }) });
    const llm = createLLMManager({ providers: [mock], storage: makeStorage() });
    const conversation = await llm.conversations.create('u1', { systemPrompt: 'Be brief.' });
    await llm.chat({ userId: 'u1', conversationId: conversation.id, messages: [{ role: 'user', content: 'first question' }] });
    const second = await llm.chat({ userId: 'u1', conversationId: conversation.id, messages: [{ role: 'user', content: 'second question' }] });
    expect(second.text).toBe('answer to second question');
    const sent = mock.calls[1]!.kind !== 'embed' && mock.calls[1]!.kind !== 'list-models' ? mock.calls[1]!.call.messages : [];
    expect(sent.map((message) => [message.role, message.content])).toEqual([
      ['system', 'Be brief.'],
      ['user', 'first question'],
      ['assistant', 'answer to first question'],
      ['user', 'second question'],
    ]);
    const stored = await llm.conversations.messages('u1', conversation.id);
    expect(stored.map((record) => record.message.role)).toEqual(['system', 'user', 'assistant', 'user', 'assistant']);
    expect(stored.at(-1)?.model).toBe('mock:mock-model');
    await llm.close();
  });

  it('saves nothing when the call fails, and streams save the turn too', async () => {
    const mock = createMockProvider({ replies: [{ error: 'invalid-request' }, { text: 'streamed answer' }] });
    const llm = createLLMManager({ providers: [mock], storage: makeStorage() });
    const conversation = await llm.conversations.create('u1');
    await expect(llm.chat({ userId: 'u1', conversationId: conversation.id, messages: [{ role: 'user', content: 'will fail' }] })).rejects.toThrow();
    expect(await llm.conversations.messages('u1', conversation.id)).toHaveLength(0);
    const result = await llm.stream({ userId: 'u1', conversationId: conversation.id, messages: [{ role: 'user', content: 'stream it' }] }).collect();
    expect(result.text).toBe('streamed answer');
    const stored = await llm.conversations.messages('u1', conversation.id);
    expect(stored.map((record) => [record.message.role, record.message.content])).toEqual([['user', 'stream it'], ['assistant', 'streamed answer']]);
    await llm.close();
  });

  it('refuses a conversation without a user, and another user\'s conversation', async () => {
    const llm = createLLMManager({ providers: [createMockProvider()], storage: makeStorage() });
    const conversation = await llm.conversations.create('owner');
    await expect(llm.chat({ conversationId: conversation.id, messages: [{ role: 'user', content: 'x' }] })).rejects.toBeInstanceOf(InvalidRequestError);
    await expect(llm.chat({ userId: 'intruder', conversationId: conversation.id, messages: [{ role: 'user', content: 'x' }] })).rejects.toThrow();
    expect(await llm.conversations.messages('owner', conversation.id)).toHaveLength(0);
    await llm.close();
  });
});
