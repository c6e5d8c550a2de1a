import { candidateIdentity, keyIdentity, type RoutingCandidate } from './candidate';
import type { RoutingClock } from './clock';
import { createOutcomeWindow, type OutcomeWindow } from './outcome-window';

/** `closed` lets calls through, `open` refuses them until its cooldown ends, `half-open` lets one probe through. */
export type CircuitState = 'closed' | 'open' | 'half-open';

/** When a circuit opens and for how long. */
export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit (default 5). */
  failureThreshold?: number;
  /** Failure share within `windowMs` that opens the circuit (default 0.5), once `minimumRequests` were seen. */
  errorRateThreshold?: number;
  /** Requests within the window before the error rate counts (default 10). */
  minimumRequests?: number;
  /** Sliding window for the error rate, in milliseconds (default 60 000). */
  windowMs?: number;
  /** How long an opened circuit refuses calls before a probe, in milliseconds (default 30 000). */
  cooldownMs?: number;
  /** How long a rejected key stays marked bad, in milliseconds (default 600 000). */
  keyRejectionMs?: number;
  /** Time source (default the system clock). */
  clock?: Pick<RoutingClock, 'now'>;
}

/** Whether a candidate may be called now. */
export interface CircuitPermission {
  /** True when the call may go ahead. */
  allowed: boolean;
  /** The circuit's state (after the cooldown check). */
  state: CircuitState;
  /** True when this call is the half-open probe; report its outcome or `release()` it. */
  probe: boolean;
  /** When a refused candidate may be tried again (epoch ms); absent while another probe is in flight. */
  retryAt?: number;
  /** Why the call was refused. */
  reason?: string;
}

/** What the breaker knows about one candidate. */
export interface CircuitSnapshot {
  /** Current state. */
  state: CircuitState;
  /** Failures since the last success. */
  consecutiveFailures: number;
  /** End of the cooldown while open (epoch ms). */
  openUntil?: number;
  /** Requests in the current window. */
  requestsInWindow: number;
  /** Failure share in the current window (0 when empty). */
  errorRate: number;
  /** End of the "bad key" mark of the candidate's key, if marked (epoch ms). */
  keyRejectedUntil?: number;
}

type CandidateKey = Pick<RoutingCandidate, 'provider' | 'model' | 'keyId' | 'keySource'>;

/** Per provider + model + key circuit breaker with cooldowns, half-open probes and bad-key marks. */
export interface CircuitBreaker {
  /** Whether the candidate may be called, without taking the probe slot (for the selector). */
  peek(candidate: CandidateKey): CircuitPermission;
  /** Whether the candidate may be called; in half-open, the first caller takes the single probe slot. */
  acquire(candidate: CandidateKey): CircuitPermission;
  /** A call succeeded: closes the circuit and resets its failure count. */
  recordSuccess(candidate: CandidateKey): void;
  /** A call failed in a way that says something about the candidate's health. */
  recordFailure(candidate: CandidateKey): void;
  /** A probe ended without an outcome (aborted): lets the next caller probe. */
  release(candidate: CandidateKey): void;
  /** Opens the circuit for at least `milliseconds` (a provider's Retry-After); never shortens a later deadline. */
  coolDown(candidate: CandidateKey, milliseconds: number): void;
  /** Marks the candidate's key bad for `milliseconds` (default `keyRejectionMs`): every model using it is refused. */
  rejectKey(candidate: CandidateKey, milliseconds?: number): void;
  /** Clears a bad-key mark (after the user replaced the key). */
  clearKey(candidate: CandidateKey): void;
  /** The candidate's circuit. */
  snapshot(candidate: CandidateKey): CircuitSnapshot;
  /** Forgets everything. */
  reset(): void;
}

interface Circuit {
  consecutiveFailures: number;
  openUntil?: number;
  probeInFlight: boolean;
  outcomes: OutcomeWindow;
}

// The answer for a closed circuit, shared: it is read, never changed.
const closedPermission: CircuitPermission = Object.freeze({ allowed: true, state: 'closed', probe: false }) as CircuitPermission;

/** Creates a circuit breaker; one per manager, shared by all requests. */
export function createCircuitBreaker(options: CircuitBreakerOptions = {}): CircuitBreaker {
  const failureThreshold = options.failureThreshold ?? 5;
  const errorRateThreshold = options.errorRateThreshold ?? 0.5;
  const minimumRequests = options.minimumRequests ?? 10;
  const windowMs = options.windowMs ?? 60_000;
  const cooldownMs = options.cooldownMs ?? 30_000;
  const keyRejectionMs = options.keyRejectionMs ?? 600_000;
  const now = (): number => (options.clock ?? Date).now();
  const circuits = new Map<string, Circuit>();
  const rejectedKeys = new Map<string, number>();
  // Every call reads and records its candidate's circuit several times; candidate objects are reused
  // across calls, so the circuit is remembered per object rather than found by a fresh identity string.
  let circuitByCandidate = new WeakMap<CandidateKey, Circuit>();

  const circuitOf = (candidate: CandidateKey): Circuit => {
    let circuit = circuitByCandidate.get(candidate);
    if (circuit) return circuit;
    const id = candidateIdentity(candidate);
    circuit = circuits.get(id);
    if (!circuit) {
      circuit = { consecutiveFailures: 0, probeInFlight: false, outcomes: createOutcomeWindow(windowMs) };
      circuits.set(id, circuit);
    }
    circuitByCandidate.set(candidate, circuit);
    return circuit;
  };

  const stateOf = (circuit: Circuit, at: number): CircuitState => {
    if (circuit.openUntil === undefined) return 'closed';
    return at < circuit.openUntil ? 'open' : 'half-open';
  };

  // Later deadline wins: a second failure during a cooldown may extend it but never cut it short.
  const openFor = (circuit: Circuit, at: number, milliseconds: number): void => {
    const until = at + milliseconds;
    circuit.openUntil = circuit.openUntil === undefined ? until : Math.max(circuit.openUntil, until);
  };

  const keyRejectedUntil = (candidate: CandidateKey, at: number): number | undefined => {
    if (rejectedKeys.size === 0) return undefined;
    const until = rejectedKeys.get(keyIdentity(candidate));
    if (until === undefined) return undefined;
    if (until <= at) {
      rejectedKeys.delete(keyIdentity(candidate));
      return undefined;
    }
    return until;
  };

  const check = (candidate: CandidateKey, takeProbe: boolean): CircuitPermission => {
    const at = now();
    const keyUntil = keyRejectedUntil(candidate, at);
    const circuit = circuitOf(candidate);
    const state = stateOf(circuit, at);
    if (keyUntil !== undefined) return { allowed: false, state, probe: false, retryAt: keyUntil, reason: 'key rejected by the provider' };
    if (state === 'closed') return closedPermission;
    if (state === 'open') return { allowed: false, state, probe: false, retryAt: circuit.openUntil!, reason: 'circuit open (cooling down)' };
    if (circuit.probeInFlight) return { allowed: false, state, probe: false, reason: 'circuit half-open, probe in flight' };
    if (takeProbe) circuit.probeInFlight = true;
    return { allowed: true, state, probe: true };
  };

  return {
    peek: (candidate) => check(candidate, false),
    acquire: (candidate) => check(candidate, true),
    recordSuccess(candidate) {
      const circuit = circuitOf(candidate);
      const at = now();
      circuit.consecutiveFailures = 0;
      circuit.probeInFlight = false;
      // A success during the cooldown (a call that started before it opened) does not close it early.
      if (circuit.openUntil !== undefined && at >= circuit.openUntil) {
        circuit.openUntil = undefined;
        circuit.outcomes.clear();
      }
      circuit.outcomes.record(at, false);
    },
    recordFailure(candidate) {
      const circuit = circuitOf(candidate);
      const at = now();
      const state = stateOf(circuit, at);
      circuit.consecutiveFailures++;
      circuit.outcomes.record(at, true);
      if (state === 'half-open') {
        circuit.probeInFlight = false;
        circuit.openUntil = undefined;
        openFor(circuit, at, cooldownMs);
        return;
      }
      if (state === 'open') {
        openFor(circuit, at, cooldownMs);
        return;
      }
      const { requests, failures } = circuit.outcomes.counts(at);
      const overRate = requests >= minimumRequests && failures / requests >= errorRateThreshold;
      if (circuit.consecutiveFailures >= failureThreshold || overRate) openFor(circuit, at, cooldownMs);
    },
    release(candidate) {
      circuitOf(candidate).probeInFlight = false;
    },
    coolDown(candidate, milliseconds) {
      const circuit = circuitOf(candidate);
      const at = now();
      if (stateOf(circuit, at) === 'half-open') {
        circuit.probeInFlight = false;
        circuit.openUntil = undefined;
      }
      openFor(circuit, at, milliseconds);
    },
    rejectKey(candidate, milliseconds = keyRejectionMs) {
      const id = keyIdentity(candidate);
      const until = now() + milliseconds;
      rejectedKeys.set(id, Math.max(rejectedKeys.get(id) ?? 0, until));
    },
    clearKey(candidate) {
      rejectedKeys.delete(keyIdentity(candidate));
    },
    snapshot(candidate) {
      const circuit = circuitOf(candidate);
      const at = now();
      const { requests, failures } = circuit.outcomes.counts(at);
      const snapshot: CircuitSnapshot = {
        state: stateOf(circuit, at),
        consecutiveFailures: circuit.consecutiveFailures,
        requestsInWindow: requests,
        errorRate: requests === 0 ? 0 : failures / requests,
      };
      if (circuit.openUntil !== undefined) snapshot.openUntil = circuit.openUntil;
      const keyUntil = keyRejectedUntil(candidate, at);
      if (keyUntil !== undefined) snapshot.keyRejectedUntil = keyUntil;
      return snapshot;
    },
    reset() {
      circuits.clear();
      circuitByCandidate = new WeakMap();
      rejectedKeys.clear();
    },
  };
}
