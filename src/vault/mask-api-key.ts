/** Keys shorter than this are masked completely: showing 8 characters of them would show too much. */
export const minimumLengthToShowEnds = 20;

/** What a fully masked key looks like (same for every short key, so its length is not revealed). */
export const fullMask = '****';

/**
 * Masks an API key for listings and logs: the first 5 and last 3 characters around `...`
 * (`sk-abcdefghijklmnopqrstuvwxyz` → `sk-ab...xyz`). Keys shorter than 20 characters, and anything that
 * is not a string, become `****`.
 */
export function maskApiKey(apiKey: unknown): string {
  if (typeof apiKey !== 'string') return fullMask;
  const key = apiKey.trim();
  if (key.length < minimumLengthToShowEnds) return fullMask;
  return `${key.slice(0, 5)}...${key.slice(-3)}`;
}
