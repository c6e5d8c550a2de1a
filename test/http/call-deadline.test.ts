import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLLMManager } from 'llm-switchyard';
import { createMockProvider } from 'llm-switchyard/testing';
import { TimeoutError } from '../../src/errors/timeout-error';
import { createCallDeadline } from '../../src/http/call-deadline';

afterEach(() => {
  vi.useRealTimers();
});

describe('call deadline', () => {
  it('fires at the deadline with the timeout error: listeners once, and the AbortSignal made before or after', () => {
    vi.useFakeTimers();
    const timeout = new TimeoutError('too slow');
    const early = createCallDeadline(1_000, undefined, () => timeout);
    const signalBefore = early.signal;
    const heard: string[] = [];
    early.addEventListener('abort', () => heard.push('first'));
    const removed = () => heard.push('removed');
    early.addEventListener('abort', removed);
    early.removeEventListener('abort', removed);
    early.addEventListener('abort', () => {
      throw new Error('a broken waiter');
    });
    early.addEventListener('abort', () => heard.push('after the broken one'));
    vi.advanceTimersByTime(999);
    expect(early.aborted).toBe(false);
    expect(signalBefore.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(early.aborted).toBe(true);
    expect(early.reason).toBe(timeout);
    expect(signalBefore.aborted).toBe(true);
    expect(signalBefore.reason).toBe(timeout);
    expect(heard).toEqual(['first', 'after the broken one']);
    early.abort(new Error('later'));
    expect(early.reason).toBe(timeout);

    const late = createCallDeadline(1_000, undefined, () => timeout);
    vi.advanceTimersByTime(1_000);
    // Made after it fired: already aborted, with the same reason.
    expect(late.signal.aborted).toBe(true);
    expect(late.signal.reason).toBe(timeout);
  });

  it("follows the caller's signal, whether it fired before or during the call, and lets go of it on dispose", () => {
    vi.useFakeTimers();
    const already = new AbortController();
    already.abort(new Error('caller gave up first'));
    const gone = createCallDeadline(1_000, already.signal, () => new TimeoutError('x'));
    expect(gone.aborted).toBe(true);
    expect((gone.reason as Error).message).toBe('caller gave up first');

    const caller = new AbortController();
    const during = createCallDeadline(1_000, caller.signal, () => new TimeoutError('x'));
    caller.abort(new Error('caller gave up'));
    expect(during.signal.reason).toEqual(new Error('caller gave up'));

    const later = new AbortController();
    const disposed = createCallDeadline(1_000, later.signal, () => new TimeoutError('x'));
    disposed.dispose();
    later.abort(new Error('after the call'));
    vi.advanceTimersByTime(5_000);
    expect(disposed.aborted).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('an abort without a reason gets an AbortError, as AbortController gives', () => {
    const deadline = createCallDeadline(60_000, undefined, () => new TimeoutError('x'));
    deadline.abort(undefined);
    expect((deadline.reason as DOMException).name).toBe('AbortError');
    expect(deadline.signal.reason).toBe(deadline.reason);
    deadline.dispose();
  });

  it('a call waiting for a concurrency slot ends at its deadline with a typed error, and the queue moves on', async () => {
    const slow = createMockProvider({ id: 'slow', replies: () => ({ text: 'done', latencyMs: 300 }) });
    const llm = createLLMManager({ providers: [slow], limits: { concurrency: { global: 1, perUser: 1 } } });
    try {
      const first = llm.chat({ messages: [{ role: 'user', content: 'one' }], userId: 'u' });
      const second = llm.chat({ messages: [{ role: 'user', content: 'two' }], userId: 'u', timeoutMs: 50 });
      const failure = await second.then(() => undefined, (error: unknown) => error);
      expect(failure).toBeInstanceOf(TimeoutError);
      expect((failure as Error).message).toBe('The call did not finish within its deadline of 50 ms');
      expect((await first).text).toBe('done');
      expect((await llm.chat({ messages: [{ role: 'user', content: 'three' }], userId: 'u' })).text).toBe('done');
    } finally {
      await llm.close();
    }
  });
});
