import { describe, expect, it } from 'vitest';
import { AbortSource, asAbortSignal, followAbort, toAbortSignal } from '../../src/http/abort-source';

describe('AbortSource', () => {
  it('fires its listeners once, with an event whose target carries the reason, and keeps firing the rest if one throws', () => {
    const source = new AbortSource();
    const seen: unknown[] = [];
    source.addEventListener('abort', () => {
      throw new Error('a broken listener');
    });
    source.addEventListener('abort', ((event: { target: AbortSource }) => void seen.push(event.target.reason)) as unknown as () => void);
    const removed = () => seen.push('removed listener ran');
    source.addEventListener('abort', removed);
    source.removeEventListener('abort', removed);
    const reason = new Error('stop');
    source.abort(reason);
    source.abort(new Error('again'));
    expect(seen).toEqual([reason]);
    expect(source.aborted).toBe(true);
    expect(source.reason).toBe(reason);
    // Nothing is kept for a listener added after it fired.
    source.addEventListener('abort', () => seen.push('late'));
    expect(seen).toEqual([reason]);
  });

  it('aborts without a reason as AbortController does', () => {
    const source = new AbortSource();
    source.abort();
    expect(source.reason).toBeInstanceOf(DOMException);
    expect((source.reason as DOMException).name).toBe('AbortError');
  });

  it('makes a real AbortSignal on first read that follows it, before or after it fired', () => {
    const early = new AbortSource();
    const signal = early.signal;
    expect(signal).toBeInstanceOf(AbortSignal);
    expect(early.signal).toBe(signal);
    expect(signal.aborted).toBe(false);
    early.abort('early reason');
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe('early reason');
    const late = new AbortSource();
    late.abort('late reason');
    expect(late.signal.aborted).toBe(true);
    expect(late.signal.reason).toBe('late reason');
  });

  it('toAbortSignal turns a disguised source into its real signal and leaves real signals alone', () => {
    const source = new AbortSource();
    expect(toAbortSignal(asAbortSignal(source))).toBe(source.signal);
    const controller = new AbortController();
    expect(toAbortSignal(controller.signal)).toBe(controller.signal);
  });

  it('toAbortSignal makes a following AbortSignal for any other abort-signal-like object', () => {
    let fire: (() => void) | undefined;
    const like = { aborted: false, reason: undefined as unknown, addEventListener: (_type: 'abort', listener: () => void) => void (fire = listener), removeEventListener: () => undefined };
    const signal = toAbortSignal(like);
    expect(signal).toBeInstanceOf(AbortSignal);
    expect(signal.aborted).toBe(false);
    like.aborted = true;
    like.reason = 'like fired';
    fire!();
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe('like fired');
  });

  it('followAbort fires with the first input that aborts, real signals and sources alike', () => {
    const controller = new AbortController();
    const parent = new AbortSource();
    const child = new AbortSource();
    followAbort(child, [controller.signal, parent]);
    parent.abort('parent stopped');
    expect(child.reason).toBe('parent stopped');
    controller.abort('too late');
    expect(child.reason).toBe('parent stopped');

    const fromSignal = new AbortSource();
    followAbort(fromSignal, [new AbortSource(), controller.signal]);
    expect(fromSignal.reason).toBe('too late');
  });
});
