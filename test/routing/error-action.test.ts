import { describe, expect, it } from 'vitest';
import * as errors from '../../src/errors';
import { decideErrorAction, errorActionTable } from '../../src/routing/error-action';

const limit = { scope: 'user:u1:requests-per-hour', limit: 10, remaining: 0 };

describe('error-to-action table', () => {
  it.each([
    [new errors.ProviderRateLimitError('429', { retryAfterMs: 2_000 }), 'retry', { retryAfterMs: 2_000 }],
    [new errors.ProviderRateLimitError('429', { retryAfterMs: 60_000 }), 'next', { retryAfterMs: 60_000 }],
    [new errors.ProviderRateLimitError('insufficient_quota', { retryable: false }), 'next', {}],
    [new errors.OverloadedError('529'), 'retry', { countsAsFailure: true }],
    [new errors.ServerError('500'), 'retry', {}],
    [new errors.ServerError('500', { retryable: false }), 'next', {}],
    [new errors.NetworkError('reset'), 'retry', {}],
    [new errors.TimeoutError('slow'), 'retry', {}],
    [new errors.InvalidResponseError('garbage'), 'retry', {}],
    [new errors.AuthenticationError('401'), 'next', { markKeyBad: true }],
    [new errors.ContextLengthExceededError('too long'), 'next', { requireLargerContext: true, countsAsFailure: false }],
    [new errors.ContentFilterError('policy'), 'next', { countsAsFailure: false }],
    [new errors.ConfigurationError('no key'), 'next', {}],
    [new errors.InvalidRequestError('bad temperature', { status: 400 }), 'fail', {}],
    [new errors.InvalidRequestError('no such model', { status: 404 }), 'next', {}],
    [new errors.AbortedError('stop'), 'fail', {}],
    [new errors.RateLimitExceededError('ours', limit), 'fail', {}],
    [new errors.QuotaExceededError('budget', limit), 'next', {}],
    [new TypeError('adapter bug'), 'next', {}],
  ] as Array<[unknown, string, object]>)('%s → %s', (error, action, extra) => {
    expect(decideErrorAction(error, { maxRetryAfterMs: 10_000 })).toMatchObject({ action, ...extra });
  });

  it('content filter can be made final', () => {
    expect(decideErrorAction(new errors.ContentFilterError('policy'), { contentFilter: 'fail' }).action).toBe('fail');
  });

  it('documents every error class of the library', () => {
    const documented = new Set(errorActionTable.map((row) => row.errorClass));
    for (const name of Object.keys(errors)) {
      if (name.endsWith('Error') && name !== 'LLMError' && name !== 'AllProvidersFailedError') {
        expect(documented.has(name), `${name} is missing from errorActionTable`).toBe(true);
      }
    }
    expect(documented.size).toBe(errorActionTable.length);
  });
});
