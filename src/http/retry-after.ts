/**
 * Milliseconds to wait according to `retry-after-ms`, then `retry-after` (seconds or an HTTP date).
 * Returns undefined when neither header is present or parseable.
 */
export function parseRetryAfterHeaders(headers: Headers | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  const milliseconds = headers.get('retry-after-ms');
  if (milliseconds !== null) {
    const value = Number.parseFloat(milliseconds);
    if (Number.isFinite(value) && value >= 0) return value;
  }
  const retryAfter = headers.get('retry-after');
  if (retryAfter === null) return undefined;
  const seconds = Number(retryAfter);
  if (retryAfter.trim() !== '' && Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(retryAfter);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Gemini's `RetryInfo.retryDelay` (`"34.4s"`, `"0.5s"`, `"2s"`) in milliseconds. */
export function parseDurationString(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$/.exec(value);
  if (!match) return undefined;
  const amount = Number.parseFloat(match[1]!);
  const unit = match[2] ?? 's';
  return unit === 'ms' ? amount : unit === 'm' ? amount * 60_000 : amount * 1000;
}
