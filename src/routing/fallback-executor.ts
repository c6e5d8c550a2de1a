import { anySignal } from '../http/any-signal';
import { AllProvidersFailedError } from '../errors/all-providers-failed-error';
import { LLMError } from '../errors/llm-error';
import { TimeoutError } from '../errors/timeout-error';
import type { Attempt } from '../spec/attempt';
import { candidateReference, keyIdentity, type RoutingCandidate } from './candidate';
import type { CircuitBreaker } from './circuit-breaker';
import { abortReason, systemClock, type RoutingClock, type RoutingTimer } from './clock';
import { decideErrorAction, type ErrorActionOptions, type ErrorDecision } from './error-action';
import type { HealthRecorder } from './health-tracker';
import { backoffDelay, resolveRetryPolicy, type RetryPolicy } from './retry-policy';

// p-retry runs only retries, after a first failure, so it is loaded then: a one-time import on a path
// that is about to wait a backoff anyway, and the core entry does not carry it.
let pRetryModule: Promise<typeof import('p-retry')> | undefined;
const loadPRetry = (): Promise<typeof import('p-retry')> => (pRetryModule ??= import('p-retry'));

/** Thrown by one try to say "do not retry": p-retry's AbortError under p-retry, unwrapped before it. */
class StopRetrying {
  constructor(readonly error: unknown) {}
}

/** Runs `attempt` under p-retry, turning StopRetrying into p-retry's AbortError (which rejects with the error itself). */
async function underPRetry<T>(
  attempt: (pass: number) => Promise<T>,
  options: Parameters<typeof import('p-retry').default>[1],
): Promise<T> {
  const { default: pRetry, AbortError } = await loadPRetry();
  return pRetry(
    (pass) => attempt(pass).catch((error: unknown) => {
      throw error instanceof StopRetrying ? new AbortError(error.error as Error) : error;
    }),
    options,
  );
}

/** What the executor passes to each upstream call. */
export interface AttemptContext {
  /** Aborts when the caller aborts, the deadline passes, or the executor gives up on this call. */
  signal: AbortSignal;
  /** 1-based position of this candidate's entry in the attempts list. */
  attemptNumber: number;
  /** 0 for the first request to this candidate, 1 for its first retry, … */
  retry: number;
  /** 1-based count of upstream requests made by the whole call so far (a stable id part for usage records). */
  requestNumber: number;
}

/** Fired when the executor leaves a failed candidate. */
export interface FallbackEvent {
  /** The candidate that failed. */
  from: RoutingCandidate;
  /** The candidate tried next; absent when none was left. */
  to?: RoutingCandidate;
  /** Why `from` was left. */
  error: LLMError;
  /** The failed attempt, as recorded. */
  attempt: Attempt;
}

/** What `executeWithFallback` takes. */
export interface ExecuteWithFallbackOptions<T> {
  /** Candidates in the order to try them (the selector's order). */
  candidates: readonly RoutingCandidate[];
  /** Makes one upstream call to one candidate; throws an LLMError on failure. */
  attempt: (candidate: RoutingCandidate, context: AttemptContext) => Promise<T>;
  /** Deadline for the whole call across every attempt, retry and wait, in milliseconds. */
  timeoutMs?: number;
  /**
   * Timeout of one upstream request, in milliseconds: a request that takes longer fails with a retryable
   * TimeoutError (retry, then next candidate) while the overall deadline keeps running.
   */
  attemptTimeoutMs?: number;
  /** Absolute deadline (epoch ms, on the injected clock); the earlier of this and `timeoutMs` wins. */
  deadlineAt?: number;
  /** The caller's signal: aborting it stops everything at once. */
  signal?: AbortSignal;
  /** Retries per candidate. */
  retry?: RetryPolicy;
  /** Content-filter policy, see `decideErrorAction`. */
  contentFilter?: ErrorActionOptions['contentFilter'];
  /** Shared circuit breaker: open candidates are skipped, outcomes are recorded. */
  breaker?: CircuitBreaker;
  /** Passive health tracking: every upstream outcome is recorded. */
  health?: HealthRecorder;
  /** Time source and sleeper (default the system clock). */
  clock?: RoutingClock;
  /** Random source for jitter (default Math.random). */
  random?: () => number;
  /** Longest wait for a cooling-down candidate when nothing else is left (default `retry.maxRetryAfterMs`). */
  maxCooldownWaitMs?: number;
  /** Called for every attempt entry as it is settled (success, error or skipped). */
  onAttempt?: (attempt: Attempt, candidate: RoutingCandidate) => void;
  /** Called when leaving a failed candidate. */
  onFallback?: (event: FallbackEvent) => void;
  /** Called when a provider rejected a key (AuthenticationError); the key is already marked bad in the breaker. */
  onKeyRejected?: (candidate: RoutingCandidate, error: LLMError) => void;
}

/** What `executeWithFallback` resolves to. */
export interface FallbackResult<T> {
  /** What the serving attempt returned. */
  value: T;
  /** The candidate that served. */
  candidate: RoutingCandidate;
  /** Every attempt, in order, the serving one last. */
  attempts: Attempt[];
}

const attemptsByError = new WeakMap<object, Attempt[]>();

/**
 * The attempts made before `executeWithFallback` threw `error` (also for errors other than
 * AllProvidersFailedError: an InvalidRequestError, AbortedError or TimeoutError that stopped the call).
 */
export function attemptsOf(error: unknown): Attempt[] | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  if (error instanceof AllProvidersFailedError) return [...error.attempts];
  return attemptsByError.get(error);
}

interface SkipRecord {
  candidate: RoutingCandidate;
  retryAt?: number;
}

/**
 * Tries candidates in order with per-candidate retries (p-retry), Retry-After, circuit breaking, one
 * deadline and one abort signal. Resolves with the first success or throws: AllProvidersFailedError
 * (every candidate failed or was skipped), the error itself when the table says `fail`, AbortedError when
 * the caller aborted, TimeoutError when the deadline passed. `attemptsOf(error)` lists the attempts.
 */
export async function executeWithFallback<T>(options: ExecuteWithFallbackOptions<T>): Promise<FallbackResult<T>> {
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const policy = resolveRetryPolicy(options.retry);
  const actionOptions: ErrorActionOptions = { maxRetryAfterMs: policy.maxRetryAfterMs, contentFilter: options.contentFilter };
  const maxCooldownWaitMs = options.maxCooldownWaitMs ?? policy.maxRetryAfterMs;
  const startedAt = clock.now();
  let deadlineAt = options.deadlineAt ?? Number.POSITIVE_INFINITY;
  if (options.timeoutMs !== undefined) deadlineAt = Math.min(deadlineAt, startedAt + options.timeoutMs);
  const remaining = (): number => deadlineAt - clock.now();

  // One signal for the whole call: the caller's abort and the deadline both end it. Without a deadline of
  // its own the executor passes the caller's signal on as is (the manager's call signal already carries
  // the call deadline): a second controller plus a listener cost several microseconds per call.
  let run: { readonly signal: AbortSignal; abort(reason: unknown): void };
  let onCallerAbort: (() => void) | undefined;
  let deadlineTimer: RoutingTimer | undefined;
  const deadlineError = (): TimeoutError =>
    new TimeoutError(`request deadline of ${options.timeoutMs ?? deadlineAt - startedAt} ms exceeded`);
  if (options.signal !== undefined && !Number.isFinite(deadlineAt)) {
    run = passThroughRun(options.signal);
  } else {
    const controller = new AbortController();
    run = controller;
    onCallerAbort = (): void => controller.abort(abortReason(options.signal!));
    if (options.signal?.aborted) onCallerAbort();
    else options.signal?.addEventListener('abort', onCallerAbort, { once: true });
    if (Number.isFinite(deadlineAt)) deadlineTimer = clock.setTimer(() => controller.abort(deadlineError()), Math.max(0, remaining()));
  }

  // Once the call ended, one error stands for it everywhere (a caller's plain reason is wrapped once).
  let endReason: LLMError | undefined;
  const endedReason = (): LLMError => (endReason ??= abortReason(run.signal));

  const attempts: Attempt[] = [];
  // Made on the first rejected key: most calls never see one.
  let rejectedKeys: Set<string> | undefined;
  let requiredContextAbove: number | undefined;
  let requestNumber = 0;
  let lastError: LLMError | undefined;
  let pendingFallback: { from: RoutingCandidate; error: LLMError; attempt: Attempt } | undefined;

  const settle = (attempt: Attempt, candidate: RoutingCandidate): void => {
    attempts.push(attempt);
    options.onAttempt?.(attempt, candidate);
  };
  const flushFallback = (to?: RoutingCandidate): void => {
    if (!pendingFallback) return;
    const event: FallbackEvent = { ...pendingFallback };
    if (to) event.to = to;
    pendingFallback = undefined;
    options.onFallback?.(event);
  };
  const skip = (candidate: RoutingCandidate, reason: string): void => {
    settle({ provider: candidate.provider, model: candidate.model, keySource: candidate.keySource, status: 'skipped', errorMessage: reason, latencyMs: 0, retries: 0, attemptNumber: attempts.length + 1 }, candidate);
  };
  const stop = (error: LLMError): never => {
    flushFallback();
    attemptsByError.set(error, [...attempts]);
    throw error;
  };
  const stopIfEnded = (): void => {
    if (run.signal.aborted) stop(endedReason());
    if (remaining() <= 0) {
      run.abort(deadlineError());
      stop(endedReason());
    }
  };

  // Tries one candidate with its retries; returns the value or undefined after recording the failure.
  const tryCandidate = async (candidate: RoutingCandidate, isProbe: boolean): Promise<{ value: T } | undefined> => {
    flushFallback(candidate);
    const attemptNumber = attempts.length + 1;
    const candidateStartedAt = clock.now();
    let retries = 0;
    let failure: { error: LLMError; decision: ErrorDecision } | undefined;
    let probeOpen = isProbe;
    // One upstream request (pass 1 is the first try); a StopRetrying says not to retry.
    const attemptOnce = async (pass: number): Promise<T> => {
      if (run.signal.aborted) throw new StopRetrying(endedReason());
      requestNumber++;
      // A per-request controller (and a combined signal) only when requests have their own timeout:
      // the common path passes the call's signal as is and allocates nothing.
      const call = options.attemptTimeoutMs === undefined ? undefined : new AbortController();
      const requestStartedAt = clock.now();
      const attemptTimer = call === undefined ? undefined : clock.setTimer(
        () => call.abort(new TimeoutError(`${candidateReference(candidate)}: no answer within ${options.attemptTimeoutMs} ms`, { provider: candidate.provider, model: candidate.model })),
        options.attemptTimeoutMs!,
      );
      try {
        const value = await options.attempt(candidate, {
          signal: call === undefined ? run.signal : anySignal([run.signal, call.signal]),
          attemptNumber,
          retry: pass - 1,
          requestNumber,
        });
        options.breaker?.recordSuccess(candidate);
        probeOpen = false;
        options.health?.recordSuccess(candidate, clock.now() - requestStartedAt);
        return value;
      } catch (thrown) {
        const timedOut = call?.signal.aborted === true;
        // Whatever the adapter left running for this request ends here.
        call?.abort();
        const error = run.signal.aborted ? endedReason() : timedOut ? abortReason(call!.signal) : toLLMError(thrown, candidate);
        const decision = run.signal.aborted ? { action: 'fail' as const, reason: 'call ended', countsAsFailure: false } : decideErrorAction(error, actionOptions);
        failure = { error, decision };
        if (decision.countsAsFailure) {
          options.breaker?.recordFailure(candidate);
          probeOpen = false;
          options.health?.recordFailure(candidate, error, clock.now() - requestStartedAt);
        }
        if (decision.action !== 'retry') throw new StopRetrying(error);
        throw error;
      } finally {
        attemptTimer?.cancel();
      }
    };
    // The retry machinery is made after a first failure (or for p-retry's own validation): most calls
    // succeed at once and never need it.
    const retrying = () => {
      const shouldRetry = async ({ retriesConsumed }: { retriesConsumed: number }): Promise<boolean> => {
        const decision = failure?.decision;
        if (!decision || decision.action !== 'retry') return false;
        if (options.breaker && !options.breaker.peek(candidate).allowed) return false;
        const delay = decision.retryAfterMs ?? backoffDelay(policy, retriesConsumed, random);
        if (delay >= remaining()) {
          if (decision.retryAfterMs !== undefined) options.breaker?.coolDown(candidate, decision.retryAfterMs);
          return false;
        }
        if (delay > 0) await clock.sleep(delay, run.signal);
        retries++;
        return true;
      };
      const retryOptions = {
        // p-retry's own backoff stays at zero: the wait is computed and slept in shouldRetry, so a
        // Retry-After is waited exactly once and never on top of an exponential delay.
        minTimeout: 0,
        maxTimeout: 0,
        factor: 1,
        signal: run.signal,
      };
      // Retries run under p-retry, with shouldRetry deciding from the typed error. The first try is made
      // directly: most calls succeed at once, and p-retry's set-up (option copies, validation, its own
      // signal checks) would otherwise be paid on every call. After a first failure the same decisions are
      // taken in the same order as p-retry takes them, then p-retry runs the remaining retries.
      const retryAfterFirstFailure = async (error: unknown): Promise<T> => {
        if (error instanceof StopRetrying) throw error.error;
        if (run.signal.aborted || policy.maxRetries <= 0) throw error;
        if (!(await shouldRetry({ retriesConsumed: 0 }))) throw error;
        run.signal.throwIfAborted();
        return underPRetry((pass) => attemptOnce(pass + 1), {
          ...retryOptions,
          retries: policy.maxRetries - 1,
          shouldRetry: ({ retriesConsumed }) => shouldRetry({ retriesConsumed: retriesConsumed + 1 }),
        });
      };
      return { shouldRetry, retryOptions, retryAfterFirstFailure };
    };
    const validRetries = typeof policy.maxRetries === 'number' && policy.maxRetries >= 0;
    try {
      let value: T;
      if (validRetries) {
        try {
          value = await attemptOnce(1);
          // As p-retry does: a success that lands after the call ended does not count.
          run.signal.throwIfAborted();
        } catch (error) {
          value = await retrying().retryAfterFirstFailure(error);
        }
      } else {
        // p-retry rejects the bad retry count before anything is sent.
        const { shouldRetry, retryOptions } = retrying();
        value = await underPRetry(attemptOnce, { ...retryOptions, retries: policy.maxRetries, shouldRetry });
      }
      settle({ provider: candidate.provider, model: candidate.model, keySource: candidate.keySource, status: 'success', latencyMs: clock.now() - candidateStartedAt, retries, attemptNumber }, candidate);
      return { value };
    } catch (thrown) {
      if (probeOpen) options.breaker?.release(candidate);
      const error = run.signal.aborted ? endedReason() : failure?.error ?? toLLMError(thrown, candidate);
      const decision = failure?.decision ?? decideErrorAction(error, actionOptions);
      lastError = error;
      const attempt: Attempt = { provider: candidate.provider, model: candidate.model, keySource: candidate.keySource, status: 'error', errorClass: error.name, errorMessage: error.message, latencyMs: clock.now() - candidateStartedAt, retries, attemptNumber };
      if (error.status !== undefined) attempt.httpStatus = error.status;
      settle(attempt, candidate);
      stopIfEnded();
      if (decision.action === 'fail') stop(error);
      if (decision.retryAfterMs !== undefined && decision.action === 'next') options.breaker?.coolDown(candidate, decision.retryAfterMs);
      if (decision.markKeyBad) {
        (rejectedKeys ??= new Set()).add(keyIdentity(candidate));
        options.breaker?.rejectKey(candidate);
        options.onKeyRejected?.(candidate, error);
      }
      if (decision.requireLargerContext && candidate.contextWindow !== undefined) {
        requiredContextAbove = Math.max(requiredContextAbove ?? 0, candidate.contextWindow);
      }
      pendingFallback = { from: candidate, error, attempt };
      return undefined;
    }
  };

  // Checks everything that can rule a candidate out before a call; returns why, or undefined.
  const reasonToSkip = (candidate: RoutingCandidate): string | undefined => {
    if (rejectedKeys?.has(keyIdentity(candidate))) return 'key rejected earlier in this call';
    if (requiredContextAbove !== undefined && candidate.contextWindow !== undefined && candidate.contextWindow <= requiredContextAbove) {
      return `context window ${candidate.contextWindow} is not larger than ${requiredContextAbove}`;
    }
    return undefined;
  };

  try {
    const cooling: SkipRecord[] = [];
    for (const candidate of options.candidates) {
      stopIfEnded();
      const why = reasonToSkip(candidate);
      if (why) {
        skip(candidate, why);
        continue;
      }
      const permission = options.breaker?.acquire(candidate) ?? { allowed: true, probe: false };
      if (!permission.allowed) {
        const retryAt = 'retryAt' in permission ? permission.retryAt : undefined;
        skip(candidate, retryAt === undefined ? permission.reason ?? 'circuit open' : `${permission.reason} until ${new Date(retryAt).toISOString()}`);
        if (retryAt !== undefined && permission.reason !== 'key rejected by the provider') cooling.push({ candidate, retryAt });
        continue;
      }
      const outcome = await tryCandidate(candidate, permission.probe);
      if (outcome) return { value: outcome.value, candidate, attempts };
    }

    // Everything left is cooling down: wait for the earliest if that fits the deadline and the bound.
    while (cooling.length > 0) {
      stopIfEnded();
      cooling.sort((a, b) => a.retryAt! - b.retryAt!);
      const next = cooling.shift()!;
      const wait = Math.max(0, next.retryAt! - clock.now());
      if (wait > maxCooldownWaitMs || wait >= remaining()) {
        cooling.unshift(next);
        break;
      }
      if (wait > 0) {
        try {
          await clock.sleep(wait, run.signal);
        } catch {
          stopIfEnded();
        }
      }
      const why = reasonToSkip(next.candidate);
      if (why) {
        skip(next.candidate, why);
        continue;
      }
      const permission = options.breaker?.acquire(next.candidate) ?? { allowed: true, probe: false };
      if (!permission.allowed) {
        skip(next.candidate, permission.reason ?? 'circuit open');
        continue;
      }
      const outcome = await tryCandidate(next.candidate, permission.probe);
      if (outcome) return { value: outcome.value, candidate: next.candidate, attempts };
    }

    stopIfEnded();
    flushFallback();
    const tried = attempts.filter((attempt) => attempt.status === 'error').length;
    const summary = attempts.map((attempt) => `${attempt.provider}:${attempt.model} ${attempt.status === 'skipped' ? `skipped (${attempt.errorMessage})` : `${attempt.errorClass}`}`).join('; ');
    const message = options.candidates.length === 0
      ? 'no candidate to route the request to'
      : `all ${options.candidates.length} candidates failed (${tried} tried): ${summary}`;
    throw new AllProvidersFailedError(message, [...attempts], lastError ? { cause: lastError } : {});
  } finally {
    deadlineTimer?.cancel();
    if (onCallerAbort) options.signal?.removeEventListener('abort', onCallerAbort);
  }
}

/** The caller's signal used as the call's own: nothing to abort besides it when there is no deadline. */
function passThroughRun(signal: AbortSignal): { readonly signal: AbortSignal; abort(reason: unknown): void } {
  return { signal, abort: () => undefined };
}

/** Wraps a non-LLMError thrown by an adapter so it can be recorded. */
function toLLMError(thrown: unknown, candidate: RoutingCandidate): LLMError {
  if (LLMError.isInstance(thrown)) return thrown;
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  return new LLMError(`${candidateReference(candidate)}: unexpected adapter error: ${message}`, { provider: candidate.provider, model: candidate.model, cause: thrown });
}
