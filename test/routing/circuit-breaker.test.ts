import { describe, expect, it } from 'vitest';
import { createCircuitBreaker } from '../../src/routing/circuit-breaker';
import { testCandidate } from './support/test-adapter';
import { createTestClock } from './support/test-clock';

const candidate = testCandidate('openai', 'gpt-4o-mini', { keyId: 'k1' });
const otherKey = testCandidate('openai', 'gpt-4o-mini', { keyId: 'k2' });

describe('circuit breaker', () => {
  it('opens after N consecutive failures, half-opens after the cooldown, closes on a successful probe', () => {
    const clock = createTestClock();
    const breaker = createCircuitBreaker({ clock, failureThreshold: 3, cooldownMs: 10_000 });
    breaker.recordFailure(candidate);
    breaker.recordFailure(candidate);
    expect(breaker.acquire(candidate).allowed).toBe(true);
    breaker.recordFailure(candidate);
    expect(breaker.acquire(candidate)).toMatchObject({ allowed: false, state: 'open', retryAt: clock.now() + 10_000 });
    expect(breaker.acquire(otherKey).allowed).toBe(true);
    clock.advance(10_000);
    expect(breaker.acquire(candidate)).toMatchObject({ allowed: true, state: 'half-open', probe: true });
    // Only one probe in flight.
    expect(breaker.acquire(candidate)).toMatchObject({ allowed: false, state: 'half-open', reason: expect.stringContaining('probe') });
    breaker.recordSuccess(candidate);
    expect(breaker.snapshot(candidate)).toMatchObject({ state: 'closed', consecutiveFailures: 0 });
  });

  it('a failed probe reopens for a full cooldown; a released probe lets the next caller probe', () => {
    const clock = createTestClock();
    const breaker = createCircuitBreaker({ clock, failureThreshold: 1, cooldownMs: 5_000 });
    breaker.recordFailure(candidate);
    clock.advance(5_000);
    expect(breaker.acquire(candidate).probe).toBe(true);
    breaker.release(candidate);
    expect(breaker.acquire(candidate).probe).toBe(true);
    breaker.recordFailure(candidate);
    expect(breaker.snapshot(candidate)).toMatchObject({ state: 'open', openUntil: clock.now() + 5_000 });
  });

  it('opens on an error rate over the window even without consecutive failures', () => {
    const clock = createTestClock();
    const breaker = createCircuitBreaker({ clock, failureThreshold: 100, errorRateThreshold: 0.5, minimumRequests: 6, windowMs: 60_000 });
    for (let index = 0; index < 3; index++) {
      breaker.recordSuccess(candidate);
      breaker.recordFailure(candidate);
    }
    expect(breaker.snapshot(candidate).state).toBe('open');
    // Old outcomes leave the window.
    const fresh = testCandidate('groq', 'llama', {});
    for (let index = 0; index < 3; index++) breaker.recordFailure(fresh);
    clock.advance(61_000);
    for (let index = 0; index < 3; index++) breaker.recordSuccess(fresh);
    breaker.recordFailure(fresh);
    expect(breaker.snapshot(fresh)).toMatchObject({ state: 'closed', requestsInWindow: 4 });
  });

  it('a second failure while cooling down extends to the later deadline and never shortens it', () => {
    const clock = createTestClock();
    const breaker = createCircuitBreaker({ clock, failureThreshold: 1, cooldownMs: 10_000 });
    breaker.coolDown(candidate, 60_000);
    const until = clock.now() + 60_000;
    clock.advance(1_000);
    breaker.recordFailure(candidate);
    expect(breaker.snapshot(candidate).openUntil).toBe(until);
    breaker.coolDown(candidate, 5_000);
    expect(breaker.snapshot(candidate).openUntil).toBe(until);
    clock.advance(58_000);
    breaker.recordFailure(candidate);
    expect(breaker.snapshot(candidate).openUntil).toBe(clock.now() + 10_000);
  });

  it('a success during the cooldown does not close it early', () => {
    const clock = createTestClock();
    const breaker = createCircuitBreaker({ clock });
    breaker.coolDown(candidate, 10_000);
    breaker.recordSuccess(candidate);
    expect(breaker.peek(candidate).allowed).toBe(false);
  });

  it('a rejected key blocks every model on that key until it expires or is cleared', () => {
    const clock = createTestClock();
    const breaker = createCircuitBreaker({ clock, keyRejectionMs: 60_000 });
    const sameKeyOtherModel = testCandidate('openai', 'gpt-4o', { keyId: 'k1' });
    breaker.rejectKey(candidate);
    expect(breaker.peek(sameKeyOtherModel)).toMatchObject({ allowed: false, reason: 'key rejected by the provider' });
    expect(breaker.peek(otherKey).allowed).toBe(true);
    clock.advance(60_000);
    expect(breaker.peek(sameKeyOtherModel).allowed).toBe(true);
    breaker.rejectKey(candidate);
    breaker.clearKey(candidate);
    expect(breaker.peek(candidate).allowed).toBe(true);
  });
});
