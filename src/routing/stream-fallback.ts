import { AbortSource, asAbortSignal, followAbort } from '../http/abort-source';
import { batched, openBatches, type BatchedIterable } from '../http/part-batches';
import { InvalidResponseError } from '../errors/invalid-response-error';
import { LLMError } from '../errors/llm-error';
import { TimeoutError } from '../errors/timeout-error';
import { AbortedError } from '../errors/aborted-error';
import type { Attempt } from '../spec/attempt';
import type { Message } from '../spec/message';
import type { ProviderStreamPart, SplicePart, StreamPart, StreamSplice } from '../spec/stream';
import { candidateReference, type RoutingCandidate } from './candidate';
import { TextBuilder } from '../http/text-builder';
import { abortReason, systemClock } from './clock';
import { decideErrorAction } from './error-action';
import { executeWithFallback, type AttemptContext, type ExecuteWithFallbackOptions } from './fallback-executor';

/** What a stream does when its provider fails after content was already sent. */
export type StreamFallbackPolicy =
  /** End the stream with an error part (default): the caller sees exactly what the model produced. */
  | 'error'
  /** Resume on the next candidate with the partial answer in context, and mark the splice. */
  | 'continue';

export type { StreamSplice } from '../spec/stream';
/** A splice marker (the public `SplicePart`). */
export type StreamSplicePart = SplicePart;

/** What a routed stream yields: provider parts, a final error part on failure, and splice markers. */
export type RoutedStreamPart = StreamPart;

/** What `streamWithFallback` takes (the executor's options, with `open` instead of `attempt`). */
export interface StreamWithFallbackOptions extends Omit<ExecuteWithFallbackOptions<unknown>, 'attempt' | 'attemptTimeoutMs'> {
  /** Opens one upstream stream; the request is sent when iteration starts. Throws LLMErrors. */
  open: (candidate: RoutingCandidate, context: AttemptContext & { messagesOverride?: Message[] }) => AsyncIterable<ProviderStreamPart>;
  /** The request's messages (needed to continue elsewhere with the partial answer). */
  messages: readonly Message[];
  /** Policy after the first content part (default `error`). */
  streamFallback?: StreamFallbackPolicy;
  /** A stream with no part for this long fails with TimeoutError and its upstream is aborted (default none). */
  idleTimeoutMs?: number;
  /**
   * With `continue`: a user message appended after the partial answer, for providers that do not treat a
   * trailing assistant message as a prefix to continue. Default: none (the partial answer goes last).
   */
  continuationInstruction?: string;
  /**
   * @internal Hand `open` the attempt's abort source (see `asAbortSignal`) instead of a real AbortSignal.
   * Only for callers that turn it into a real one (`toAbortSignal`) before it reaches anything else: the
   * manager does, for adapters and transports that need one.
   */
  abortSourceForOpen?: boolean;
}

/** How a routed stream ended. */
export interface StreamOutcome {
  /** `finished` (a finish part was yielded), `error` (an error part was yielded) or `cancelled` (the consumer stopped). */
  status: 'finished' | 'error' | 'cancelled';
  /** The error, when status is `error`. */
  error?: LLMError;
  /** Every attempt, in order. */
  attempts: Attempt[];
  /** Candidates that produced the answer, in order (more than one after a splice). */
  servedBy: RoutingCandidate[];
  /** Splices, in order. */
  splices: StreamSplice[];
}

/** A routed stream: iterate it once (by part, or by batch through `partBatches`); attempts and splices are filled in as it runs. */
export interface FallbackStream extends BatchedIterable<RoutedStreamPart> {
  /** Attempts so far (live). */
  readonly attempts: readonly Attempt[];
  /** Candidates that produced content so far (live). */
  readonly servedBy: readonly RoutingCandidate[];
  /** Splices so far (live). */
  readonly splices: readonly StreamSplice[];
  /** Settles when the stream ends (never rejects). */
  readonly outcome: Promise<StreamOutcome>;
}

const contentTypes = new Set<ProviderStreamPart['type']>(['text-delta', 'reasoning-delta', 'tool-call-delta', 'tool-call']);

/** Whether a part counts as content (after which fallback is no longer free). */
export function isContentPart(part: ProviderStreamPart): boolean {
  return contentTypes.has(part.type);
}

interface OpenedStream {
  iterator: AsyncIterator<ProviderStreamPart[]>;
  buffered: ProviderStreamPart[];
  upstream: AbortSource;
  /** Rejects the read in progress (set by each read). */
  interrupt?: (error: unknown) => void;
}

/**
 * Streams with fallback. Before the first content part every failure (including an idle stall) is
 * retried or falls back for free, with the executor's rules; after it, `streamFallback` decides. The
 * stream never throws: a failure is its last part, `{ type: 'error' }`. A stream that ends without a
 * finish part is a failure, never a clean end.
 */
export function streamWithFallback(options: StreamWithFallbackOptions): FallbackStream {
  const clock = options.clock ?? systemClock;
  const policy = options.streamFallback ?? 'error';
  const attempts: Attempt[] = [];
  const servedBy: RoutingCandidate[] = [];
  const splices: StreamSplice[] = [];
  let settle!: (outcome: StreamOutcome) => void;
  const outcome = new Promise<StreamOutcome>((resolve) => (settle = resolve));
  let started = false;

  /**
   * Opens one upstream stream read in batches. Aborting its signal returns the iterator and ends the read
   * in progress at once, even if the adapter never notices: one listener per stream, not one per read.
   */
  const openStream = (iterable: AsyncIterable<ProviderStreamPart>, upstream: AbortSource): OpenedStream => {
    const opened: OpenedStream = { iterator: openBatches(iterable), buffered: [], upstream };
    upstream.addEventListener('abort', () => {
      opened.iterator.return?.().catch(() => undefined);
      opened.interrupt?.(abortReason(asAbortSignal(upstream)));
    });
    return opened;
  };

  // Reads the next batch; a stream idle for idleTimeoutMs is aborted with TimeoutError (which ends the read).
  const nextBatch = (opened: OpenedStream): Promise<IteratorResult<ProviderStreamPart[]>> => {
    const upstream = opened.upstream;
    if (upstream.aborted) return Promise.reject(abortReason(asAbortSignal(upstream)));
    const idle = options.idleTimeoutMs;
    const timer = idle === undefined ? undefined : clock.setTimer(() => opened.upstream.abort(new TimeoutError(`stream idle for ${idle} ms`)), idle);
    const pending = opened.iterator.next();
    return new Promise((resolve, reject) => {
      // Left in place after the read: rejecting a settled promise does nothing.
      opened.interrupt = reject;
      const read = pending.then(resolve, reject);
      if (timer) void read.then(() => timer.cancel());
    });
  };

  async function* run(): AsyncGenerator<RoutedStreamPart[]> {
    if (started) throw new InvalidResponseError('a routed stream can be iterated only once');
    started = true;
    const startedAt = clock.now();
    let deadlineAt = options.deadlineAt ?? Number.POSITIVE_INFINITY;
    if (options.timeoutMs !== undefined) deadlineAt = Math.min(deadlineAt, startedAt + options.timeoutMs);
    // The whole stream's lifetime: caller abort, deadline and consumer cancellation all end it. Abort
    // sources, not controllers: no AbortSignal is made unless an adapter or transport needs a real one.
    const life = new AbortSource();
    const lifeSignal = asAbortSignal(life);
    const onCallerAbort = (): void => life.abort(abortReason(options.signal!));
    if (options.signal?.aborted) onCallerAbort();
    else options.signal?.addEventListener('abort', onCallerAbort, { once: true });
    const deadline = Number.isFinite(deadlineAt)
      ? clock.setTimer(() => life.abort(new TimeoutError(`request deadline of ${options.timeoutMs ?? deadlineAt - startedAt} ms exceeded`)), deadlineAt - startedAt)
      : undefined;

    let remaining = [...options.candidates];
    let messagesOverride: Message[] | undefined;
    // The answer so far is kept only for a splice to continue from; the default policy never splices.
    const text = policy === 'error' ? undefined : new TextBuilder();
    let contentParts = 0;
    let status: StreamOutcome['status'] = 'cancelled';
    let failure: LLMError | undefined;
    let current: OpenedStream | undefined;
    let pendingSplice: Omit<StreamSplice, 'to'> | undefined;

    const fail = (error: LLMError): RoutedStreamPart => {
      status = 'error';
      failure = error;
      return { type: 'error', error };
    };

    try {
      while (true) {
        const offset = attempts.length;
        let served: RoutingCandidate;
        let heldSuccess: Attempt | undefined;
        try {
          // The executor's own options, named one by one: spreading the stream's options (a dozen keys the
          // executor ignores among them) cost ~3 µs per stream and left an object slow to read.
          const result = await executeWithFallback<OpenedStream>({
            candidates: remaining,
            signal: lifeSignal,
            deadlineAt,
            clock,
            retry: options.retry,
            contentFilter: options.contentFilter,
            breaker: options.breaker,
            health: options.health,
            random: options.random,
            maxCooldownWaitMs: options.maxCooldownWaitMs,
            onFallback: options.onFallback,
            onKeyRejected: options.onKeyRejected,
            onAttempt: (attempt, candidate) => {
              attempt.attemptNumber += offset;
              attempts.push(attempt);
              // The opening attempt is reported when its stream ends, with its real outcome.
              if (attempt.status === 'success') heldSuccess = attempt;
              else options.onAttempt?.(attempt, candidate);
            },
            attempt: async (candidate, context) => {
              // This attempt's signal: aborted on its own (a fallback or an idle timeout) or with the stream.
              const upstream = new AbortSource();
              followAbort(upstream, context.signal === lifeSignal ? [life] : [context.signal, life]);
              const signal = options.abortSourceForOpen ? asAbortSignal(upstream) : upstream.signal;
              const openContext: AttemptContext & { messagesOverride?: Message[] } = {
                signal, attemptNumber: context.attemptNumber, retry: context.retry, requestNumber: context.requestNumber,
              };
              if (messagesOverride) openContext.messagesOverride = messagesOverride;
              const iterable = options.open(candidate, openContext);
              const opened = openStream(iterable, upstream);
              try {
                while (true) {
                  const next = await nextBatch(opened);
                  if (next.done) throw new InvalidResponseError(`${candidateReference(candidate)}: stream ended before finishing`, { provider: candidate.provider, model: candidate.model });
                  let opening = false;
                  for (const part of next.value) {
                    opened.buffered.push(part);
                    if (isContentPart(part) || part.type === 'finish') opening = true;
                  }
                  if (opening) return opened;
                }
              } catch (error) {
                // Aborting also returns the iterator (see openStream).
                upstream.abort();
                throw error;
              }
            },
          });
          current = result.value;
          served = result.candidate;
        } catch (error) {
          const typed = LLMError.isInstance(error) ? error : new InvalidResponseError(String(error));
          yield [fail(typed)];
          return;
        }

        servedBy.push(served);
        if (pendingSplice) {
          const splice: StreamSplice = { ...pendingSplice, to: candidateReference(served) };
          splices.push(splice);
          pendingSplice = undefined;
          yield [{ type: 'splice', ...splice }];
        }
        const openedAt = clock.now();
        const segmentStartedAt = openedAt - (heldSuccess?.latencyMs ?? 0);
        let finished = false;
        try {
          let batch = current.buffered;
          while (true) {
            for (const part of batch) {
              if (part.type === 'finish') finished = true;
              else if (text !== undefined) {
                // Only a splice needs the answer so far and the number of content parts before it.
                if (part.type === 'text-delta') text.append(part.text);
                if (contentTypes.has(part.type)) contentParts++;
              }
            }
            yield batch;
            if (finished) break;
            const next = await nextBatch(current);
            if (next.done) throw new InvalidResponseError(`${candidateReference(served)}: stream ended without a finish`, { provider: served.provider, model: served.model });
            batch = next.value;
          }
          if (heldSuccess) {
            heldSuccess.latencyMs = clock.now() - segmentStartedAt;
            options.onAttempt?.(heldSuccess, served);
          }
          status = 'finished';
          // Let the upstream generator finish too (its bookkeeping and body release run in its finally).
          await current.iterator.return?.()?.catch?.(() => undefined);
          return;
        } catch (thrown) {
          const error = life.aborted ? abortReason(lifeSignal) : LLMError.isInstance(thrown) ? thrown : new InvalidResponseError(String(thrown), { cause: thrown });
          current.upstream.abort();
          const decision = decideErrorAction(error, { contentFilter: options.contentFilter });
          if (heldSuccess) {
            heldSuccess.status = 'error';
            heldSuccess.errorClass = error.name;
            heldSuccess.errorMessage = error.message;
            if (error.status !== undefined) heldSuccess.httpStatus = error.status;
            heldSuccess.latencyMs = clock.now() - segmentStartedAt;
            options.onAttempt?.(heldSuccess, served);
          }
          if (!life.aborted && decision.countsAsFailure) {
            options.breaker?.recordFailure(served);
            options.health?.recordFailure(served, error, clock.now() - openedAt);
          }
          const index = remaining.indexOf(served);
          remaining = remaining.slice(index + 1);
          if (life.aborted || policy === 'error' || decision.action === 'fail' || remaining.length === 0) {
            yield [fail(error)];
            return;
          }
          options.onFallback?.({ from: served, to: remaining[0], error, attempt: heldSuccess ?? attempts[attempts.length - 1]! });
          const partial = text?.toString() ?? '';
          pendingSplice = { textOffset: partial.length, contentParts, from: candidateReference(served), errorClass: error.name, errorMessage: error.message };
          messagesOverride = [...options.messages, ...(partial.length > 0 ? [{ role: 'assistant' as const, content: partial }] : [])];
          if (options.continuationInstruction && partial.length > 0) messagesOverride.push({ role: 'user', content: options.continuationInstruction });
        }
      }
    } finally {
      deadline?.cancel();
      options.signal?.removeEventListener('abort', onCallerAbort);
      if (status === 'cancelled') {
        // The consumer stopped early: end the upstream request too.
        life.abort(new AbortedError('stream cancelled by the consumer'));
        current?.upstream.abort();
      }
      const summary: StreamOutcome = { status, attempts, servedBy, splices };
      if (failure) summary.error = failure;
      settle(summary);
    }
  }

  return Object.assign(batched(run), { attempts, servedBy, splices, outcome });
}
