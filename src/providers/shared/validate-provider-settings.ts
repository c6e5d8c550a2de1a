import { ConfigurationError } from '../../errors/configuration-error';

/**
 * Checks an adapter's instance id, which prefixes its model refs (`groq:llama-3.3-70b`): letters, digits,
 * `.`, `_` or `-`, starting with a letter or digit. `factory` names the caller in the error (`createAnthropic`).
 */
export function checkProviderId(factory: string, id: unknown): string {
  if (typeof id !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(id)) {
    throw new ConfigurationError(`${factory}: id must be letters, digits, ".", "_" or "-", starting with a letter or digit (got ${JSON.stringify(id)})`);
  }
  return id;
}

/** An http(s) base URL without trailing slashes; anything else is refused naming the field. */
export function normalizeBaseUrl(factory: string, baseUrl: unknown, providerId: string): string {
  if (typeof baseUrl !== 'string' || !URL.canParse(baseUrl)) {
    throw new ConfigurationError(`${factory}: baseUrl is not a valid URL (got ${JSON.stringify(baseUrl)})`, { provider: providerId });
  }
  const protocol = new URL(baseUrl).protocol;
  if (protocol !== 'http:' && protocol !== 'https:') {
    throw new ConfigurationError(`${factory}: baseUrl must be http or https (got ${protocol})`, { provider: providerId });
  }
  return baseUrl.replace(/\/+$/, '');
}

/** A managed key, when given, must be a non-empty string (an empty one would silently mean "no key"). */
export function checkApiKey(factory: string, apiKey: unknown, providerId: string): void {
  if (apiKey !== undefined && (typeof apiKey !== 'string' || apiKey.length === 0)) {
    throw new ConfigurationError(`${factory}: apiKey must be a non-empty string when given`, { provider: providerId });
  }
}
