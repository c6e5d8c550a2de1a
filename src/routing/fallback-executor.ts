import { anySignal } from '../http/any-signal';
import { toAbortSignal } from '../http/abort-source';
import { AllProvidersFailedError } from '../errors/all-providers-failed-error';
import { LLMError } from '../errors/llm-error';
import { TimeoutError } from '../errors/timeout-error';
import type { Attempt } from '../spec/attempt';
import { candidateReference, keyIdentity, type RoutingCandidate } from './candidate';
import type { CircuitBreaker } from './circuit-breaker';
import { abortReason, systemClock, type RoutingClock, type RoutingTimer } from './clock';
import { decideErrorAction, type ErrorActionOptions, type ErrorDecision } from './error-action';
import type { HealthRecorder } from './health-tracker';
import { backoffDelay, resolveRetryPolicy, type ResolvedRetryPolicy, type RetryPolicy } from './retry-policy';

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
export function executeWithFallback<T>(options: ExecuteWithFallbackOptions<T>): Promise<FallbackResult<T>> {
  try {
    return new FallbackRun(options).execute();
  } catch (error) {
    // Set-up failures reject, as they did when this was an async function.
    return Promise.reject(error);
  }
}

/** One candidate being tried: its attempt entry and what its requests have shown so far. */
interface CandidateTry {
  candidate: RoutingCandidate;
  attemptNumber: number;
  startedAt: number;
  retries: number;
  failure: { error: LLMError; decision: ErrorDecision } | undefined;
  probeOpen: boolean;
}

/**
 * The state of one executeWithFallback call. A class rather than a dozen closures per call: every
 * request runs through it, and its methods are shared while its fields are all a call allocates.
 */
class FallbackRun<T> {
  private readonly clock: RoutingClock;
  private readonly random: () => number;
  private readonly policy: ResolvedRetryPolicy;
  private readonly actionOptions: ErrorActionOptions;
  private readonly maxCooldownWaitMs: number;
  private readonly startedAt: number;
  private readonly deadlineAt: number;
  // One signal for the whole call: the caller's abort and the deadline both end it. Without a deadline of
  // its own the executor passes the caller's signal on as is (the manager's call signal already carries
  // the call deadline): a second controller plus a listener cost several microseconds per call.
  private readonly run: { readonly signal: AbortSignal; abort(reason: unknown): void };
  private onCallerAbort: (() => void) | undefined;
  private deadlineTimer: RoutingTimer | undefined;
  // Once the call ended, one error stands for it everywhere (a caller's plain reason is wrapped once).
  private endReason: LLMError | undefined;
  private readonly attempts: Attempt[] = [];
  // Made on the first rejected key: most calls never see one.
  private rejectedKeys: Set<string> | undefined;
  private requiredContextAbove: number | undefined;
  private requestNumber = 0;
  private lastError: LLMError | undefined;
  private pendingFallback: { from: RoutingCandidate; error: LLMError; attempt: Attempt } | undefined;

  constructor(private readonly options: ExecuteWithFallbackOptions<T>) {
    const clock = options.clock ?? systemClock;
    this.clock = clock;
    this.random = options.random ?? Math.random;
    const policy = resolveRetryPolicy(options.retry);
    this.policy = policy;
    this.actionOptions = { maxRetryAfterMs: policy.maxRetryAfterMs, contentFilter: options.contentFilter };
    this.maxCooldownWaitMs = options.maxCooldownWaitMs ?? policy.maxRetryAfterMs;
    const startedAt = clock.now();
    this.startedAt = startedAt;
    let deadlineAt = options.deadlineAt ?? Number.POSITIVE_INFINITY;
    if (options.timeoutMs !== undefined) deadlineAt = Math.min(deadlineAt, startedAt + options.timeoutMs);
    this.deadlineAt = deadlineAt;
    if (options.signal !== undefined && !Number.isFinite(deadlineAt)) {
      this.run = passThroughRun(options.signal);
    } else {
      const controller = new AbortController();
      this.run = controller;
      const onCallerAbort = (): void => controller.abort(abortReason(options.signal!));
      this.onCallerAbort = onCallerAbort;
      if (options.signal?.aborted) onCallerAbort();
      else options.signal?.addEventListener('abort', onCallerAbort, { once: true });
      if (Number.isFinite(deadlineAt)) this.deadlineTimer = clock.setTimer(() => controller.abort(this.deadlineError()), Math.max(0, this.remaining()));
    }
  }

  private remaining(): number {
    return this.deadlineAt - this.clock.now();
  }

  private deadlineError(): TimeoutError {
    return new TimeoutError(`request deadline of ${this.options.timeoutMs ?? this.deadlineAt - this.startedAt} ms exceeded`);
  }

  private endedReason(): LLMError {
    return (this.endReason ??= abortReason(this.run.signal));
  }

  private settle(attempt: Attempt, candidate: RoutingCandidate): void {
    this.attempts.push(attempt);
    this.options.onAttempt?.(attempt, candidate);
  }

  private flushFallback(to?: RoutingCandidate): void {
    if (!this.pendingFallback) return;
    const event: FallbackEvent = { ...this.pendingFallback };
    if (to) event.to = to;
    this.pendingFallback = undefined;
    this.options.onFallback?.(event);
  }

  private skip(candidate: RoutingCandidate, reason: string): void {
    this.settle({ provider: candidate.provider, model: candidate.model, keySource: candidate.keySource, status: 'skipped', errorMessage: reason, latencyMs: 0, retries: 0, attemptNumber: this.attempts.length + 1 }, candidate);
  }

  private stop(error: LLMError): never {
    this.flushFallback();
    attemptsByError.set(error, [...this.attempts]);
    throw error;
  }

  private stopIfEnded(): void {
    if (this.run.signal.aborted) this.stop(this.endedReason());
    if (this.remaining() <= 0) {
      this.run.abort(this.deadlineError());
      this.stop(this.endedReason());
    }
  }

  // Checks everything that can rule a candidate out before a call; returns why, or undefined.
  private reasonToSkip(candidate: RoutingCandidate): string | undefined {
    if (this.rejectedKeys?.has(keyIdentity(candidate))) return 'key rejected earlier in this call';
    const above = this.requiredContextAbove;
    if (above !== undefined && candidate.contextWindow !== undefined && candidate.contextWindow <= above) {
      return `context window ${candidate.contextWindow} is not larger than ${above}`;
    }
    return undefined;
  }

  // One upstream request (pass 1 is the first try); a StopRetrying says not to retry. Continuations, not
  // an async frame: it would stay alive for as long as the provider takes to answer.
  private attemptOnce(state: CandidateTry, pass: number): Promise<T> {
    const { options, clock, run } = this;
    const candidate = state.candidate;
    if (run.signal.aborted) return Promise.reject(new StopRetrying(this.endedReason()));
    this.requestNumber++;
    // A per-request controller (and a combined signal) only when requests have their own timeout:
    // the common path passes the call's signal as is and allocates nothing.
    const call = options.attemptTimeoutMs === undefined ? undefined : new AbortController();
    const requestStartedAt = clock.now();
    const attemptTimer = call === undefined ? undefined : clock.setTimer(
      () => call.abort(new TimeoutError(`${candidateReference(candidate)}: no answer within ${options.attemptTimeoutMs} ms`, { provider: candidate.provider, model: candidate.model })),
      options.attemptTimeoutMs!,
    );
    let sent: Promise<T>;
    try {
      sent = options.attempt(candidate, {
        signal: call === undefined ? run.signal : anySignal([toAbortSignal(run.signal), call.signal]),
        attemptNumber: state.attemptNumber,
        retry: pass - 1,
        requestNumber: this.requestNumber,
      });
    } catch (thrown) {
      sent = Promise.reject(thrown);
    }
    return sent.then(
      (value) => {
        attemptTimer?.cancel();
        options.breaker?.recordSuccess(candidate);
        state.probeOpen = false;
        options.health?.recordSuccess(candidate, clock.now() - requestStartedAt);
        return value;
      },
      (thrown: unknown) => {
        attemptTimer?.cancel();
        const timedOut = call?.signal.aborted === true;
        // Whatever the adapter left running for this request ends here.
        call?.abort();
        const error = run.signal.aborted ? this.endedReason() : timedOut ? abortReason(call!.signal) : toLLMError(thrown, candidate);
        const decision = run.signal.aborted ? { action: 'fail' as const, reason: 'call ended', countsAsFailure: false } : decideErrorAction(error, this.actionOptions);
        state.failure = { error, decision };
        if (decision.countsAsFailure) {
          options.breaker?.recordFailure(candidate);
          state.probeOpen = false;
          options.health?.recordFailure(candidate, error, clock.now() - requestStartedAt);
        }
        if (decision.action !== 'retry') throw new StopRetrying(error);
        throw error;
      },
    );
  }

  private async shouldRetry(state: CandidateTry, retriesConsumed: number): Promise<boolean> {
    const decision = state.failure?.decision;
    if (!decision || decision.action !== 'retry') return false;
    const breaker = this.options.breaker;
    if (breaker && !breaker.peek(state.candidate).allowed) return false;
    const delay = decision.retryAfterMs ?? backoffDelay(this.policy, retriesConsumed, this.random);
    if (delay >= this.remaining()) {
      if (decision.retryAfterMs !== undefined) breaker?.coolDown(state.candidate, decision.retryAfterMs);
      return false;
    }
    if (delay > 0) await this.clock.sleep(delay, toAbortSignal(this.run.signal));
    state.retries++;
    return true;
  }

  private retryOptions() {
    // p-retry's own backoff stays at zero: the wait is computed and slept in shouldRetry, so a
    // Retry-After is waited exactly once and never on top of an exponential delay.
    return { minTimeout: 0, maxTimeout: 0, factor: 1, signal: toAbortSignal(this.run.signal) };
  }

  // Retries run under p-retry, with shouldRetry deciding from the typed error. The first try is made
  // directly: most calls succeed at once, and p-retry's set-up (option copies, validation, its own
  // signal checks) would otherwise be paid on every call. After a first failure the same decisions are
  // taken in the same order as p-retry takes them, then p-retry runs the remaining retries.
  private async retryAfterFirstFailure(state: CandidateTry, error: unknown): Promise<T> {
    if (error instanceof StopRetrying) throw error.error;
    if (this.run.signal.aborted || this.policy.maxRetries <= 0) throw error;
    if (!(await this.shouldRetry(state, 0))) throw error;
    throwIfAborted(this.run.signal);
    return underPRetry((pass) => this.attemptOnce(state, pass + 1), {
      ...this.retryOptions(),
      retries: this.policy.maxRetries - 1,
      shouldRetry: ({ retriesConsumed }) => this.shouldRetry(state, retriesConsumed + 1),
    });
  }

  // Tries one candidate with its retries; resolves to the value, or to undefined after recording the
  // failure. The first try is continuations, not an async frame: most calls succeed at once, and the frame
  // would stay alive for as long as the provider takes to answer.
  private tryCandidate(candidate: RoutingCandidate, isProbe: boolean): Promise<{ value: T } | undefined> {
    const { run, policy } = this;
    this.flushFallback(candidate);
    const state: CandidateTry = { candidate, attemptNumber: this.attempts.length + 1, startedAt: this.clock.now(), retries: 0, failure: undefined, probeOpen: isProbe };
    // p-retry rejects the bad retry count before anything is sent.
    if (typeof policy.maxRetries !== 'number' || policy.maxRetries < 0) return this.tryUnderPRetry(state);
    let first: Promise<T>;
    try {
      first = this.attemptOnce(state, 1);
    } catch (thrown) {
      first = Promise.reject(thrown);
    }
    return first.then(
      // As p-retry does: a success that lands after the call ended does not count.
      (value) => (run.signal.aborted ? this.failed(state, run.signal.reason) : this.succeeded(state, value)),
      (error: unknown) =>
        this.retryAfterFirstFailure(state, error).then(
          (value) => this.succeeded(state, value),
          (thrown: unknown) => this.failed(state, thrown),
        ),
    );
  }

  private async tryUnderPRetry(state: CandidateTry): Promise<{ value: T } | undefined> {
    let value: T;
    try {
      value = await underPRetry((pass) => this.attemptOnce(state, pass), {
        ...this.retryOptions(),
        retries: this.policy.maxRetries,
        shouldRetry: ({ retriesConsumed }) => this.shouldRetry(state, retriesConsumed),
      });
    } catch (thrown) {
      return this.failed(state, thrown);
    }
    return this.succeeded(state, value);
  }

  // Records the success; a hook that throws while it is recorded makes it the candidate's failure.
  private succeeded(state: CandidateTry, value: T): { value: T } | undefined {
    const candidate = state.candidate;
    try {
      this.settle({ provider: candidate.provider, model: candidate.model, keySource: candidate.keySource, status: 'success', latencyMs: this.clock.now() - state.startedAt, retries: state.retries, attemptNumber: state.attemptNumber }, candidate);
    } catch (thrown) {
      return this.failed(state, thrown);
    }
    return { value };
  }

  // Records a candidate's failure and what it means for the rest of the call; throws when the call stops.
  private failed(state: CandidateTry, thrown: unknown): undefined {
    const { options, clock, run } = this;
    const candidate = state.candidate;
    if (state.probeOpen) options.breaker?.release(candidate);
    const error = run.signal.aborted ? this.endedReason() : state.failure?.error ?? toLLMError(thrown, candidate);
    const decision = state.failure?.decision ?? decideErrorAction(error, this.actionOptions);
    this.lastError = error;
    const attempt: Attempt = { provider: candidate.provider, model: candidate.model, keySource: candidate.keySource, status: 'error', errorClass: error.name, errorMessage: error.message, latencyMs: clock.now() - state.startedAt, retries: state.retries, attemptNumber: state.attemptNumber };
    if (error.status !== undefined) attempt.httpStatus = error.status;
    this.settle(attempt, candidate);
    this.stopIfEnded();
    if (decision.action === 'fail') this.stop(error);
    if (decision.retryAfterMs !== undefined && decision.action === 'next') options.breaker?.coolDown(candidate, decision.retryAfterMs);
    if (decision.markKeyBad) {
      (this.rejectedKeys ??= new Set()).add(keyIdentity(candidate));
      options.breaker?.rejectKey(candidate);
      options.onKeyRejected?.(candidate, error);
    }
    if (decision.requireLargerContext && candidate.contextWindow !== undefined) {
      this.requiredContextAbove = Math.max(this.requiredContextAbove ?? 0, candidate.contextWindow);
    }
    this.pendingFallback = { from: candidate, error, attempt };
    return undefined;
  }

  // The candidates in order as continuations: a call that succeeds at its first candidate keeps no async
  // frame alive while the provider answers. Every way out cleans up exactly once (cleanUp is idempotent).
  execute(): Promise<FallbackResult<T>> {
    try {
      return this.fromCandidate(0, undefined);
    } catch (error) {
      this.cleanUp();
      return Promise.reject(error);
    }
  }

  private cleanUp(): void {
    this.deadlineTimer?.cancel();
    if (this.onCallerAbort) this.options.signal?.removeEventListener('abort', this.onCallerAbort);
  }

  // Tries the candidates from `index` on; throws synchronously only before its first try.
  private fromCandidate(index: number, cooling: SkipRecord[] | undefined): Promise<FallbackResult<T>> {
    const { options, attempts } = this;
    const candidates = options.candidates;
    for (; index < candidates.length; index++) {
      const candidate = candidates[index]!;
      this.stopIfEnded();
      const why = this.reasonToSkip(candidate);
      if (why) {
        this.skip(candidate, why);
        continue;
      }
      const permission = options.breaker?.acquire(candidate) ?? { allowed: true, probe: false };
      if (!permission.allowed) {
        const retryAt = 'retryAt' in permission ? permission.retryAt : undefined;
        this.skip(candidate, retryAt === undefined ? permission.reason ?? 'circuit open' : `${permission.reason} until ${new Date(retryAt).toISOString()}`);
        if (retryAt !== undefined && permission.reason !== 'key rejected by the provider') (cooling ??= []).push({ candidate, retryAt });
        continue;
      }
      const following = index + 1;
      return this.tryCandidate(candidate, permission.probe).then(
        (outcome) => {
          if (outcome) {
            this.cleanUp();
            return { value: outcome.value, candidate, attempts };
          }
          try {
            return this.fromCandidate(following, cooling);
          } catch (error) {
            this.cleanUp();
            throw error;
          }
        },
        (error: unknown) => {
          this.cleanUp();
          throw error;
        },
      );
    }
    return this.afterCandidates(cooling);
  }

  // Everything left is cooling down: wait for the earliest if that fits the deadline and the bound; then,
  // with nothing left, the call has failed.
  private async afterCandidates(cooling: SkipRecord[] | undefined): Promise<FallbackResult<T>> {
    const { options, clock, attempts } = this;
    try {
      while (cooling !== undefined && cooling.length > 0) {
        this.stopIfEnded();
        cooling.sort((a, b) => a.retryAt! - b.retryAt!);
        const next = cooling.shift()!;
        const wait = Math.max(0, next.retryAt! - clock.now());
        if (wait > this.maxCooldownWaitMs || wait >= this.remaining()) {
          cooling.unshift(next);
          break;
        }
        if (wait > 0) {
          try {
            await clock.sleep(wait, toAbortSignal(this.run.signal));
          } catch {
            this.stopIfEnded();
          }
        }
        const why = this.reasonToSkip(next.candidate);
        if (why) {
          this.skip(next.candidate, why);
          continue;
        }
        const permission = options.breaker?.acquire(next.candidate) ?? { allowed: true, probe: false };
        if (!permission.allowed) {
          this.skip(next.candidate, permission.reason ?? 'circuit open');
          continue;
        }
        const outcome = await this.tryCandidate(next.candidate, permission.probe);
        if (outcome) return { value: outcome.value, candidate: next.candidate, attempts };
      }

      this.stopIfEnded();
      this.flushFallback();
      const tried = attempts.filter((attempt) => attempt.status === 'error').length;
      const summary = attempts.map((attempt) => `${attempt.provider}:${attempt.model} ${attempt.status === 'skipped' ? `skipped (${attempt.errorMessage})` : `${attempt.errorClass}`}`).join('; ');
      const message = options.candidates.length === 0
        ? 'no candidate to route the request to'
        : `all ${options.candidates.length} candidates failed (${tried} tried): ${summary}`;
      throw new AllProvidersFailedError(message, [...attempts], this.lastError ? { cause: this.lastError } : {});
    } finally {
      this.cleanUp();
    }
  }
}

/** As `AbortSignal.prototype.throwIfAborted`, for the manager's deadline too (see `asAbortSignal`). */
function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw signal.reason;
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
