import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createConversations, estimateMessageTokens, type Conversations } from '../../src/conversations';
import { InvalidRequestError } from '../../src/errors/invalid-request-error';
import type { Storage } from '../../src/spec/storage';
import { createMemoryStorage } from '../../src/storage/memory';
import { createSqlStorage, fromBetterSqlite3 } from '../../src/storage/sql';

function setup(storage: Storage): Conversations {
  let clock = 1_700_000_000_000;
  let counter = 0;
  return createConversations(storage, { now: () => (clock += 1_000), generateId: () => `id-${(counter += 1)}` });
}

const backends: [string, () => Storage][] = [
  ['memory', () => createMemoryStorage()],
  ['sqlite', () => createSqlStorage({ dialect: 'sqlite', client: fromBetterSqlite3(new Database(':memory:')) })],
];

describe.each(backends)('conversations on %s storage', (_name, makeStorage) => {
  it('creates, lists, gets, renames and deletes per user', async () => {
    const conversations = setup(makeStorage());
    const first = await conversations.create('alice', { title: 'Trip', systemPrompt: 'You plan trips.' });
    const second = await conversations.create('alice');
    await conversations.create('bob');
    expect(first).toMatchObject({ userId: 'alice', title: 'Trip', messageCount: 1 });
    expect((await conversations.list('alice')).map((row) => row.id)).toEqual([second.id, first.id]);
    expect(await conversations.get('bob', first.id)).toBeUndefined();
    expect((await conversations.messages('alice', first.id)).map((row) => row.message)).toEqual([{ role: 'system', content: 'You plan trips.' }]);
    expect(await conversations.update('alice', first.id, { title: 'Holiday' })).toBe(true);
    expect((await conversations.get('alice', first.id))?.title).toBe('Holiday');
    expect(await conversations.delete('bob', first.id)).toBe(false);
    expect(await conversations.delete('alice', first.id)).toBe(true);
    expect(await conversations.get('alice', first.id)).toBeUndefined();
    await expect(conversations.context('alice', first.id)).rejects.toBeInstanceOf(InvalidRequestError);
  });

  it('returns the newest messages that fit maxMessages, oldest first, keeping the system prompt', async () => {
    const conversations = setup(makeStorage());
    const conversation = await conversations.create('alice', { systemPrompt: 'Be brief.' });
    for (let turn = 1; turn <= 10; turn += 1) {
      await conversations.saveTurn('alice', conversation.id, {
        user: { message: { role: 'user', content: `question ${turn}` } },
        assistant: { message: { role: 'assistant', content: `answer ${turn}` }, model: 'openai:gpt-4o-mini', tokens: 3 },
      });
    }
    const context = await conversations.context('alice', conversation.id, { maxMessages: 5, maxTokens: 10_000 });
    expect(context.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'assistant', content: 'answer 8' },
      { role: 'user', content: 'question 9' },
      { role: 'assistant', content: 'answer 9' },
      { role: 'user', content: 'question 10' },
      { role: 'assistant', content: 'answer 10' },
    ].filter((_, index) => index !== 1));
    expect(context.truncated).toBe(true);
    const defaults = await conversations.context('alice', conversation.id);
    expect(defaults.messages).toHaveLength(10);
    expect(defaults.messages[0]).toEqual({ role: 'system', content: 'Be brief.' });
    expect(defaults.messages.at(-1)).toEqual({ role: 'assistant', content: 'answer 10' });
    expect(context.records.at(-1)?.model).toBe('openai:gpt-4o-mini');
  });

  it('fits maxTokens using stored counts and estimates for messages without one', async () => {
    const conversations = setup(makeStorage());
    const conversation = await conversations.create('alice', { systemPrompt: 'S'.repeat(40) });
    const [system] = await conversations.messages('alice', conversation.id);
    expect(system.tokens).toBe(estimateMessageTokens({ role: 'system', content: 'S'.repeat(40) }));
    expect(system.tokensEstimated).toBe(true);
    expect(system.tokens).toBe(14);
    await conversations.append('alice', conversation.id, [
      { message: { role: 'user', content: 'old' }, tokens: 50 },
      { message: { role: 'assistant', content: 'old answer' }, tokens: 50 },
      { message: { role: 'user', content: 'x'.repeat(80) } },
      { message: { role: 'assistant', content: 'recent' }, tokens: 10, model: 'anthropic:claude-haiku-4-5' },
    ]);
    // 14 (system) + 10 + 24 (estimated: 4 + 80/4) = 48; the 50-token answer would exceed 90.
    const context = await conversations.context('alice', conversation.id, { maxTokens: 90 });
    expect(context.messages.map((message) => message.content)).toEqual(['S'.repeat(40), 'x'.repeat(80), 'recent']);
    expect(context.tokens).toBe(48);
    expect(context.truncated).toBe(true);
    // The system prompt stays even when it alone is over budget.
    const tight = await conversations.context('alice', conversation.id, { maxTokens: 5 });
    expect(tight.messages).toEqual([{ role: 'system', content: 'S'.repeat(40) }]);
  });

  it('never starts the window with a tool result whose call was cut off', async () => {
    const conversations = setup(makeStorage());
    const conversation = await conversations.create('alice');
    await conversations.append('alice', conversation.id, [
      { message: { role: 'user', content: 'weather?' } },
      { message: { role: 'assistant', content: [{ type: 'tool-call', toolCallId: 'c1', toolName: 'weather', arguments: { city: 'Oslo' } }] } },
      { message: { role: 'tool', toolCallId: 'c1', toolName: 'weather', content: '{"temp":3}' } },
      { message: { role: 'assistant', content: 'It is 3°C.' } },
    ]);
    const context = await conversations.context('alice', conversation.id, { maxMessages: 2 });
    expect(context.messages).toEqual([{ role: 'assistant', content: 'It is 3°C.' }]);
    const wider = await conversations.context('alice', conversation.id, { maxMessages: 3 });
    expect(wider.messages.map((message) => message.role)).toEqual(['assistant', 'tool', 'assistant']);
  });

  it('saves a turn atomically: a failure stores neither message', async () => {
    const conversations = setup(makeStorage());
    const conversation = await conversations.create('alice');
    await conversations.saveTurn('alice', conversation.id, {
      user: { id: 'taken', message: { role: 'user', content: 'first' } },
      assistant: { message: { role: 'assistant', content: 'reply' } },
    });
    await expect(
      conversations.saveTurn('alice', conversation.id, {
        user: { message: { role: 'user', content: 'second' } },
        assistant: { id: 'taken', message: { role: 'assistant', content: 'collides' } },
      }),
    ).rejects.toBeInstanceOf(InvalidRequestError);
    await expect(
      conversations.saveTurn('bob', conversation.id, { user: { message: { role: 'user', content: 'x' } }, assistant: { message: { role: 'assistant', content: 'y' } } }),
    ).rejects.toBeInstanceOf(InvalidRequestError);
    expect((await conversations.messages('alice', conversation.id)).map((row) => row.message.content)).toEqual(['first', 'reply']);
    expect(() => conversations.saveTurn('alice', conversation.id, { user: { message: { role: 'assistant', content: 'x' } }, assistant: { message: { role: 'assistant', content: 'y' } } })).toThrow(
      /turn\.user/,
    );
  });

  it('rejects bad limits naming the option', async () => {
    const conversations = setup(makeStorage());
    const conversation = await conversations.create('alice');
    await expect(conversations.context('alice', conversation.id, { maxMessages: 0 })).rejects.toThrow(/maxMessages/);
    await expect(conversations.context('alice', conversation.id, { maxTokens: 1.5 })).rejects.toThrow(/maxTokens/);
  });
});
